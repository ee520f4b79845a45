"""A byte-level BPE tokenizer (GPT-2 style) trained from scratch and written as a Hugging Face `tokenizer.json`.

Pre-tokenization = a Sequence that both the Rust `tokenizers` library and the pure-JS `@huggingface/tokenizers`
implement: Split on every single digit (isolated, as LLaMA does: numbers become one token per digit, which
makes arithmetic learnable for a small LM), then GPT-2's ByteLevel regex. The BPE model ranks merges in the
order training found them; `encode` below re-implements exactly that pipeline so training needs no tokenizer
library, and a vitest test proves the JS library produces the same ids.

Why written by hand: Debian has no Python binding of a BPE trainer (no `tokenizers`, and sentencepiece writes
its own format); the trainer is the textbook incremental-pair-count algorithm.

Ids: 0 <|endoftext|> (document separator; also prepended as BOS by the post-processor), 1 <|pad|>, 2..257 the
256 byte symbols, then one id per merge.
"""

import collections
import json

import regex

EOS, PAD = "<|endoftext|>", "<|pad|>"
DIGIT_PATTERN = r"\p{N}"
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
_DIGIT = regex.compile(f"({DIGIT_PATTERN})")
_GPT2 = regex.compile(GPT2_PATTERN)


def bytes_to_unicode():
    """GPT-2's reversible map from the 256 byte values to printable unicode characters."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    printable += list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, chars)))


BYTE_CHARS = bytes_to_unicode()
CHAR_BYTES = {c: b for b, c in BYTE_CHARS.items()}


def pre_tokenize(text):
    """Digits isolated, then the GPT-2 regex on each remaining piece; each piece mapped to byte characters."""
    pieces = []
    for part in _DIGIT.split(text):
        if not part:
            continue
        if _DIGIT.fullmatch(part):
            pieces.append(part)
            continue
        pieces.extend(_GPT2.findall(part))
    return ["".join(BYTE_CHARS[b] for b in p.encode("utf-8")) for p in pieces]


def train_bpe(word_counts, vocab_size):
    """Merges (in rank order) learned from {pre-token: count} until the vocabulary has vocab_size entries."""
    n_merges = vocab_size - 2 - 256
    words = [list(w) for w in word_counts]
    counts = list(word_counts.values())
    pair_counts = collections.Counter()
    where = collections.defaultdict(set)
    for i, symbols in enumerate(words):
        for pair in zip(symbols, symbols[1:]):
            pair_counts[pair] += counts[i]
            where[pair].add(i)
    merges = []
    for _ in range(n_merges):
        if not pair_counts:
            break
        # Ties broken by the pair itself so training is deterministic.
        best = max(pair_counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if pair_counts[best] < 2:
            break
        merges.append(best)
        merged = best[0] + best[1]
        for i in list(where[best]):
            symbols = words[i]
            for pair in zip(symbols, symbols[1:]):
                pair_counts[pair] -= counts[i]
                if pair_counts[pair] <= 0:
                    del pair_counts[pair]
            out, j = [], 0
            while j < len(symbols):
                if j + 1 < len(symbols) and symbols[j] == best[0] and symbols[j + 1] == best[1]:
                    out.append(merged)
                    j += 2
                else:
                    out.append(symbols[j])
                    j += 1
            words[i] = out
            for pair in zip(out, out[1:]):
                pair_counts[pair] += counts[i]
                where[pair].add(i)
        del where[best]
    return merges


class ByteBpeTokenizer:
    def __init__(self, merges):
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: r for r, m in enumerate(self.merges)}
        self.vocab = {EOS: 0, PAD: 1}
        for b in range(256):
            self.vocab[BYTE_CHARS[b]] = len(self.vocab)
        for a, b in self.merges:
            self.vocab[a + b] = len(self.vocab)
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self._cache = {}

    @classmethod
    def train(cls, texts, vocab_size):
        word_counts = collections.Counter()
        for text in texts:
            word_counts.update(pre_tokenize(text))
        return cls(train_bpe(word_counts, vocab_size))

    @classmethod
    def load(cls, path):
        with open(path) as f:
            spec = json.load(f)
        return cls([m.split(" ") if isinstance(m, str) else m for m in spec["model"]["merges"]])

    @property
    def eos_id(self):
        return self.vocab[EOS]

    @property
    def pad_id(self):
        return self.vocab[PAD]

    def __len__(self):
        return len(self.vocab)

    def _bpe(self, piece):
        if piece in self._cache:
            return self._cache[piece]
        symbols = list(piece)
        while len(symbols) > 1:
            pairs = [(self.ranks.get(p, 1 << 30), k) for k, p in enumerate(zip(symbols, symbols[1:]))]
            rank, k = min(pairs)
            if rank == 1 << 30:
                break
            symbols = symbols[:k] + [symbols[k] + symbols[k + 1]] + symbols[k + 2 :]
        ids = [self.vocab[s] for s in symbols]
        self._cache[piece] = ids
        return ids

    def encode(self, text, add_bos=True):
        """Ids as the tokenizer.json pipeline gives them (BOS = <|endoftext|> first, as its post-processor adds)."""
        ids = [self.eos_id] if add_bos else []
        for piece in pre_tokenize(text):
            ids.extend(self._bpe(piece))
        return ids

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            token = self.id_to_token[int(i)]
            if token in (EOS, PAD):
                continue
            data.extend(CHAR_BYTES[c] for c in token)
        return data.decode("utf-8", errors="replace")

    def to_json(self):
        special = lambda i, t: {  # noqa: E731
            "id": i,
            "content": t,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        eos_ref = {"SpecialToken": {"id": EOS, "type_id": 0}}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [special(0, EOS), special(1, PAD)],
            "normalizer": None,
            "pre_tokenizer": {
                "type": "Sequence",
                "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": DIGIT_PATTERN}, "behavior": "Isolated", "invert": False},
                    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
                ],
            },
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [eos_ref, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [eos_ref, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}}],
                "special_tokens": {EOS: {"id": EOS, "ids": [0], "tokens": [EOS]}},
            },
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": None,
                "end_of_word_suffix": None,
                "fuse_unk": False,
                "byte_fallback": False,
                "vocab": self.vocab,
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }

    def save(self, path):
        with open(path, "w") as f:
            json.dump(self.to_json(), f, ensure_ascii=False)
