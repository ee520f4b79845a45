"""Grade-school arithmetic word problems (the role GSM8K plays in QAlign), 2-4 steps, with step-by-step
solutions ending "The answer is N.".

A problem tracks one quantity through a story: it starts at a number (2-30), then each step adds or removes
1-30, multiplies (2-4 times as many, from at most 30) or shares equally (divides by 2-5, only when exact).
Every intermediate value stays a non-negative integer below 200. The numbers are kept this small on
purpose: zoo:mini-lm (1.1 M parameters, ~25 minutes of CPU training) must land between 20 % and 60 %
accuracy, and with 2-digit operands up to 60 it stayed below 5 % within that budget. The solution writes
one equation per step and the final sentence.

Prompt format shared by the LM, the reward model and attune's CausalLM adapter:
    "Question: <problem>\nAnswer:"  followed by  " <solution>"  and the end-of-text token.
"""

import random

NAMES = [
    ("Mia", "she"), ("Tom", "he"), ("Ava", "she"), ("Leo", "he"), ("Zoe", "she"), ("Sam", "he"), ("Ivy", "she"),
    ("Max", "he"), ("Lily", "she"), ("Noah", "he"), ("Emma", "she"), ("Ben", "he"), ("Ruby", "she"),
    ("Jack", "he"), ("Nora", "she"), ("Omar", "he"), ("Lucy", "she"), ("Eli", "he"), ("Rosa", "she"),
    ("Finn", "he"),
]
ITEMS = [
    "apples", "marbles", "stickers", "books", "cookies", "pencils", "coins", "stamps", "shells", "cards",
    "eggs", "flowers", "balloons", "candies", "toys", "rocks", "buttons", "beads", "oranges", "blocks",
]
FRIENDS = ["a friend", "her brother", "his sister", "a neighbour", "the teacher", "a classmate", "grandma"]
SOURCES = ["at the market", "from a friend", "at school", "in the park", "from the store", "for a birthday"]
LIMIT = 200
SMALL = 30


def _add(rng, value, name, pronoun, items):
    b = rng.randint(1, SMALL)
    if value + b >= LIMIT:
        return None
    text = rng.choice(
        [
            f"Then {pronoun} gets {b} more {items} {rng.choice(SOURCES)}.",
            f"{name} buys {b} more {items}.",
            f"Later {pronoun} finds {b} more {items}.",
        ]
    )
    return value + b, text, f"{value} + {b} = {value + b}."


def _sub(rng, value, name, pronoun, items):
    if value < 3:
        return None
    b = rng.randint(1, min(value - 1, SMALL))
    text = rng.choice(
        [
            f"Then {pronoun} gives {b} {items} to {rng.choice(FRIENDS)}.",
            f"{name} loses {b} {items}.",
            f"Later {pronoun} uses {b} of the {items}.",
        ]
    )
    return value - b, text, f"{value} - {b} = {value - b}."


def _mul(rng, value, name, pronoun, items):
    k = rng.randint(2, 4)
    if value * k >= LIMIT or value > SMALL:
        return None
    word = {2: "twice", 3: "three times", 4: "four times", 5: "five times"}[k]
    text = rng.choice(
        [
            f"Then {name} ends up with {word} as many {items} as before.",
            f"Next {pronoun} trades them and gets {word} as many {items}.",
        ]
    )
    return value * k, text, f"{value} * {k} = {value * k}."


def _div(rng, value, name, pronoun, items):
    divisors = [k for k in range(2, 6) if value % k == 0 and value // k >= 1]
    if not divisors:
        return None
    k = rng.choice(divisors)
    text = rng.choice(
        [
            f"Then {pronoun} shares them equally among {k} boxes and keeps one box.",
            f"{name} splits the {items} into {k} equal groups and keeps one group.",
        ]
    )
    return value // k, text, f"{value} / {k} = {value // k}."


OPERATIONS = [_add, _add, _sub, _sub, _mul, _div]


def make_problem(rng):
    """One problem: {"question", "solution", "answer", "steps"}."""
    name, pronoun = rng.choice(NAMES)
    items = rng.choice(ITEMS)
    steps = rng.randint(2, 4)
    value = rng.randint(2, SMALL)
    story = [f"{name} has {value} {items}."]
    equations = []
    while len(equations) < steps:
        result = rng.choice(OPERATIONS)(rng, value, name, pronoun, items)
        if result is None:
            continue
        value, text, equation = result
        story.append(text[0].upper() + text[1:])
        equations.append(equation)
    story.append(f"How many {items} does {name} have now?")
    solution = " ".join(equations) + f" The answer is {value}."
    return {"question": " ".join(story), "solution": solution, "answer": value, "steps": steps}


def prompt_of(question):
    return f"Question: {question}\nAnswer:"


def document_of(problem):
    """Training text of a problem (the tokenizer adds <|endoftext|> before it; the LM learns to stop)."""
    return prompt_of(problem["question"]) + " " + problem["solution"]


def generate(seed, count, exclude=frozenset()):
    """`count` distinct problems from `seed`, none of whose questions is in `exclude`."""
    rng = random.Random(seed)
    seen, out = set(exclude), []
    while len(out) < count:
        p = make_problem(rng)
        if p["question"] in seen:
            continue
        seen.add(p["question"])
        out.append(p)
    return out


def extract_answer(text):
    """The integer after the last "The answer is", or None (same rule as attune's JS extractor)."""
    marker = "The answer is"
    at = text.rfind(marker)
    if at < 0:
        return None
    rest = text[at + len(marker) :].strip()
    digits = ""
    for ch in rest:
        if ch.isdigit() or (ch == "-" and not digits):
            digits += ch
        elif ch == "," and digits:
            continue
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return None
