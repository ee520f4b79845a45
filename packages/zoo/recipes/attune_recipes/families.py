"""Seven short-answer task families for zoo:mini-moe, built from real data that ships here.

Each family yields three disjoint splits of {family, question, answer, options}:
- train: what the LM is trained on (both phrasings, and both sources where a family has two);
- eval: the family's evaluation set (source/phrasing A);
- reference: C3PO's reference set, from a related but different source or phrasing (B), as the paper pairs
  a benchmark with neighbouring datasets.

| family    | eval (A)                                   | reference (B)                                       | answers |
|-----------|--------------------------------------------|-----------------------------------------------------|---------|
| sentiment | AFINN-165 words (npm sentiment)            | VADER lexicon words not in AFINN (npm vader-sentiment)| positive / negative |
| spam      | SpamAssassin easy-ham-1 + spam-1           | SpamAssassin easy-ham-2 + hard-ham-1 + spam-2       | spam / ham |
| topic     | Reuters-21578 ModApte test, "about grain?" | ModApte train, "concern corn?" (weka arff)          | yes / no |
| pos       | Brown informative prose (genres a-j)       | Brown imaginative prose (genres k-r), other wording | noun / verb / adjective |
| parity    | "Is a + b even or odd?" (3-digit)          | "The sum of a and b ..." (2-digit)                  | even / odd |
| syllables | CMUdict words, "How many syllables ..."    | other CMUdict words, "Count the syllables ..."      | one / two / three / four |
| gender    | npm first-name lists, "male or female?"    | other names, "a boy's or a girl's name?"            | male / female |

Answers are single words; the card scores a family by the restricted argmax over its options' first tokens
at the last prompt token (the position C3PO re-mixes).
"""

import json
import os
import random
import re

PROMPT = "Question: {question}\nAnswer:"
EVAL_SIZE = 200
REFERENCE_SIZE = 300

FAMILIES = ["sentiment", "spam", "topic", "pos", "parity", "syllables", "gender"]
OPTIONS = {
    "sentiment": ["positive", "negative"],
    "spam": ["spam", "ham"],
    "topic": ["yes", "no"],
    "pos": ["noun", "verb", "adjective"],
    "parity": ["even", "odd"],
    "syllables": ["one", "two", "three", "four"],
    "gender": ["male", "female"],
}


def prompt_of(question):
    return PROMPT.format(question=question)


def _item(family, question, answer):
    return {"family": family, "question": question, "answer": answer, "options": OPTIONS[family]}


def _balanced(rng, items, size):
    """Up to size items with the answers as balanced as the pool allows (shuffled)."""
    by_answer = {}
    for it in items:
        by_answer.setdefault(it["answer"], []).append(it)
    for group in by_answer.values():
        rng.shuffle(group)
    out, k = [], 0
    while len(out) < size and any(k < len(g) for g in by_answer.values()):
        for key in sorted(by_answer):
            if k < len(by_answer[key]) and len(out) < size:
                out.append(by_answer[key][k])
        k += 1
    rng.shuffle(out)
    return out


def _words(text, limit):
    """The first limit words, skipping tokens longer than 15 characters (URLs, MIME boundaries, numbers)."""
    return " ".join([w for w in text.split() if len(w) <= 15][:limit])


# ---- sentiment ---------------------------------------------------------------------------------------------

SENT_A = 'Is the word "{w}" positive or negative?'
SENT_B = 'Does "{w}" carry a good or a bad feeling, positive or negative?'


def sentiment(rng, afinn_path, vader_path):
    with open(afinn_path) as f:
        afinn = {w: v for w, v in json.load(f).items() if re.fullmatch(r"[a-z]+", w) and v != 0}
    vader = {}
    with open(vader_path, encoding="utf-8") as f:
        for line in f:
            parts = line.split("\t")
            if len(parts) > 1 and re.fullmatch(r"[a-z]+", parts[0]) and abs(float(parts[1])) >= 1.0:
                vader[parts[0]] = float(parts[1])
    label = lambda v: "positive" if v > 0 else "negative"  # noqa: E731
    a_words = sorted(afinn)
    b_words = sorted(w for w in vader if w not in afinn)
    rng.shuffle(a_words)
    rng.shuffle(b_words)
    a_items = [_item("sentiment", SENT_A.format(w=w), label(afinn[w])) for w in a_words]
    b_items = [_item("sentiment", SENT_B.format(w=w), label(vader[w])) for w in b_words]
    ev = _balanced(rng, a_items[: len(a_items) // 3], EVAL_SIZE)
    ref = _balanced(rng, b_items[: len(b_items) // 3], REFERENCE_SIZE)
    train = a_items[len(a_items) // 3 :] + b_items[len(b_items) // 3 :]
    # both phrasings of every training word
    train += [_item("sentiment", SENT_B.format(w=w), label(afinn[w])) for w in a_words[len(a_words) // 3 :]]
    train += [_item("sentiment", SENT_A.format(w=w), label(vader[w])) for w in b_words[len(b_words) // 3 :]]
    return train, ev, ref


# ---- spam ---------------------------------------------------------------------------------------------------

SPAM_A = "Subject: {s}\n{b}\nIs this email spam or ham?"
SPAM_B = 'An email titled "{s}" reads: {b}\nSpam or ham?'


def _email(text):
    head, _, body = text.partition("\n\n")
    subject = ""
    for line in head.split("\n"):
        if line.lower().startswith("subject:"):
            subject = line[8:].strip()
            break
    body = re.sub(r"<[^>]*>", " ", body)
    body = re.sub(r"[^\x20-\x7e]+", " ", body)
    return _words(subject, 8), _words(body, 10)


def spam(rng, spam_dir):
    groups = {}
    for group in ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"):
        folder = os.path.join(spam_dir, group)
        mails = []
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    mails.append(_email(json.load(f)["text"]))
        rng.shuffle(mails)
        groups[group] = [m for m in mails if m[1]]
    label = lambda g: "spam" if g.startswith("spam") else "ham"  # noqa: E731

    def items(group, template, mails):
        return [_item("spam", template.format(s=s, b=b), label(group)) for s, b in mails]

    a_pool = items("easy-ham-1", SPAM_A, groups["easy-ham-1"][:300]) + items("spam-1", SPAM_A, groups["spam-1"][:300])
    b_pool = (
        items("easy-ham-2", SPAM_B, groups["easy-ham-2"][:250])
        + items("hard-ham-1", SPAM_B, groups["hard-ham-1"][:150])
        + items("spam-2", SPAM_B, groups["spam-2"][:400])
    )
    train = []
    for group, mails in groups.items():
        rest = mails[300 if group in ("easy-ham-1", "spam-1") else (150 if group == "hard-ham-1" else 400) :]
        rest = rest[:1200]
        half = len(rest) // 2
        train += items(group, SPAM_A, rest[:half]) + items(group, SPAM_B, rest[half:])
    return train, _balanced(rng, a_pool, EVAL_SIZE), _balanced(rng, b_pool, REFERENCE_SIZE)


# ---- topic (Reuters) ---------------------------------------------------------------------------------------

TOPIC_A = "News: {t}\nIs this article about grain?"
TOPIC_B = "Report: {t}\nDoes this story concern corn?"
TOPIC_A2 = "News: {t}\nIs this article about corn?"
TOPIC_B2 = "Report: {t}\nDoes this story concern grain?"


def read_arff_texts(path):
    """[(text, label)] from weka's Reuters arff (one quoted string attribute and a {0,1} class)."""
    with open(path, encoding="latin-1") as f:
        data = f.read().split("@data", 1)[1]
    rows = []
    for m in re.finditer(r"'((?:[^'\\]|\\.)*)',\s*([01])", data):
        text = m.group(1).replace("\\n", " ").replace("\\'", "'").replace('\\"', '"')
        rows.append((" ".join(text.split()), int(m.group(2))))
    return rows


def topic(rng, weka_dir):
    ex = lambda name: read_arff_texts(os.path.join(weka_dir, name))  # noqa: E731
    grain_test, corn_test = ex("ReutersGrain-test.arff"), ex("ReutersCorn-test.arff")
    grain_train, corn_train = ex("ReutersGrain-train.arff"), ex("ReutersCorn-train.arff")
    yn = lambda v: "yes" if v else "no"  # noqa: E731
    a_pool = [_item("topic", TOPIC_A.format(t=_words(t, 14)), yn(v)) for t, v in grain_test]
    order = list(range(len(corn_train)))
    rng.shuffle(order)
    ref_docs, train_docs = order[:700], order[700:]
    b_pool = [_item("topic", TOPIC_B.format(t=_words(corn_train[i][0], 14)), yn(corn_train[i][1])) for i in ref_docs]
    train = []
    for i in train_docs:
        t = _words(corn_train[i][0], 14)
        g = grain_train[i][1] if grain_train[i][0] == corn_train[i][0] else None
        train.append(_item("topic", TOPIC_B.format(t=t), yn(corn_train[i][1])))
        train.append(_item("topic", TOPIC_A2.format(t=t), yn(corn_train[i][1])))
        if g is not None:
            train.append(_item("topic", TOPIC_A.format(t=t), yn(g)))
            train.append(_item("topic", TOPIC_B2.format(t=t), yn(g)))
    # positives are rare (~10 %): repeat them so the LM sees both answers often
    train += [it for it in train if it["answer"] == "yes"] * 3
    del corn_test
    return train, _balanced(rng, a_pool, EVAL_SIZE), _balanced(rng, b_pool, REFERENCE_SIZE)


# ---- part of speech (Brown tags) ---------------------------------------------------------------------------

POS_A = 'In "{s}", what part of speech is "{w}"?'
POS_B = 'Sentence: {s}\nIs the word "{w}" a noun, a verb or an adjective?'
_TAGS = {"nn": "noun", "nns": "noun", "vb": "verb", "vbd": "verb", "vbz": "verb", "vbg": "verb", "jj": "adjective"}


def _brown_pos(folder, names, rng, template, per_file):
    out = []
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
            sentences = [line.split() for line in f if line.strip()]
        rng.shuffle(sentences)
        taken = 0
        for toks in sentences:
            pairs = [t.rsplit("/", 1) for t in toks if "/" in t]
            if not 5 <= len(pairs) <= 14:
                continue
            words = [w for w, _ in pairs]
            cands = [(w, _TAGS[tag.lower()]) for w, tag in pairs if tag.lower() in _TAGS and re.fullmatch(r"[a-z]+", w)]
            if not cands:
                continue
            w, label = rng.choice(cands)
            out.append(_item("pos", template.format(s=" ".join(words), w=w), label))
            taken += 1
            if taken >= per_file:
                break
    return out


def pos(rng, brown_dir):
    names = sorted(n for n in os.listdir(brown_dir) if re.fullmatch(r"c[a-r]\d\d", n))
    informative = [n for n in names if n[1] <= "j"]
    fiction = [n for n in names if n[1] >= "k"]
    a_files, b_files = informative[::5], fiction[::4]
    train_files = [n for n in names if n not in a_files and n not in b_files]
    a_pool = _brown_pos(brown_dir, a_files, rng, POS_A, 6)
    b_pool = _brown_pos(brown_dir, b_files, rng, POS_B, 12)
    half = len(train_files) // 2
    train = _brown_pos(brown_dir, train_files[:half], rng, POS_A, 30)
    train += _brown_pos(brown_dir, train_files[half:], rng, POS_B, 30)
    train += _brown_pos(brown_dir, train_files, rng, POS_A, 15)
    return train, _balanced(rng, a_pool, EVAL_SIZE), _balanced(rng, b_pool, REFERENCE_SIZE)


# ---- parity ------------------------------------------------------------------------------------------------

PAR_A = "Is {a} + {b} even or odd?"
PAR_B = "The sum of {a} and {b}, is it even or odd?"


def parity(rng):
    def make(template, lo, hi, n, seen):
        out = []
        while len(out) < n:
            a, b = rng.randint(lo, hi), rng.randint(lo, hi)
            if (template, a, b) in seen:
                continue
            seen.add((template, a, b))
            out.append(_item("parity", template.format(a=a, b=b), "even" if (a + b) % 2 == 0 else "odd"))
        return out

    seen = set()
    ev = make(PAR_A, 100, 999, EVAL_SIZE, seen)
    ref = make(PAR_B, 10, 99, REFERENCE_SIZE, seen)
    train = make(PAR_A, 10, 999, 6000, seen) + make(PAR_B, 10, 999, 6000, seen)
    return train, ev, ref


# ---- syllables (CMUdict) -----------------------------------------------------------------------------------

SYL_A = 'How many syllables are in the word "{w}"?'
SYL_B = 'Count the syllables of "{w}".'
_NUMBER = {1: "one", 2: "two", 3: "three", 4: "four"}


def syllables(rng, cmudict_path, common_words):
    counts = {}
    with open(cmudict_path, encoding="latin-1") as f:
        for line in f:
            if line.startswith(";;;") or "(" in line.split(" ")[0]:
                continue
            word, _, phones = line.strip().partition("  ")
            if re.fullmatch(r"[A-Z]+", word):
                n = sum(ch.isdigit() for ch in phones)
                if n in _NUMBER:
                    counts[word.lower()] = n
    words = sorted(w for w in counts if w in common_words)
    rng.shuffle(words)
    items = lambda ws, t: [_item("syllables", t.format(w=w), _NUMBER[counts[w]]) for w in ws]  # noqa: E731
    a_words, b_words, rest = words[:600], words[600:1300], words[1300:]
    train = items(rest, SYL_A) + items(rest, SYL_B)
    return train, _balanced(rng, items(a_words, SYL_A), EVAL_SIZE), _balanced(rng, items(b_words, SYL_B), REFERENCE_SIZE)


# ---- gender of first names ---------------------------------------------------------------------------------

GEN_A = "Is {n} a male or a female name?"
GEN_B = "Would {n} be a boy's or a girl's name, male or female?"


def gender(rng, female_path, male_path):
    def read(path):
        with open(path, encoding="utf-8") as f:
            return {line.strip() for line in f if re.fullmatch(r"[A-Z][a-z]+", line.strip())}

    female, male = read(female_path), read(male_path)
    both = female & male
    names = [(n, "female") for n in sorted(female - both)] + [(n, "male") for n in sorted(male - both)]
    rng.shuffle(names)
    items = lambda ns, t: [_item("gender", t.format(n=n), g) for n, g in ns]  # noqa: E731
    a, b, rest = names[:1000], names[1000:2000], names[2000:]
    half = len(rest) // 2
    train = items(rest[:half], GEN_A) + items(rest[half:], GEN_B) + items(rest[: half // 2], GEN_B)
    return train, _balanced(rng, items(a, GEN_A), EVAL_SIZE), _balanced(rng, items(b, GEN_B), REFERENCE_SIZE)


def common_words_of(brown_dir):
    words = set()
    for name in os.listdir(brown_dir):
        if re.fullmatch(r"c[a-r]\d\d", name):
            with open(os.path.join(brown_dir, name), encoding="utf-8", errors="replace") as f:
                for tok in f.read().split():
                    words.add(tok.rsplit("/", 1)[0].lower())
    return words


def build(seed, dirs):
    """{family: (train, eval, reference)} from the source folders in dirs."""
    rng = random.Random(seed)
    brown = dirs["brown"]
    out = {
        "sentiment": sentiment(rng, dirs["afinn"], dirs["vader"]),
        "spam": spam(rng, dirs["spam"]),
        "topic": topic(rng, dirs["weka"]),
        "pos": pos(rng, brown),
        "parity": parity(rng),
        "syllables": syllables(rng, dirs["cmudict"], common_words_of(brown)),
        "gender": gender(rng, dirs["female_names"], dirs["male_names"]),
    }
    for family, (train, ev, ref) in out.items():
        evq = {it["question"] for it in ev}
        refq = {it["question"] for it in ref}
        assert not (evq & refq), family
        out[family] = ([it for it in train if it["question"] not in evq and it["question"] not in refq], ev, ref)
    return out
