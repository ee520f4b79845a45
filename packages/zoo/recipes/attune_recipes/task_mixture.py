"""The supervised half of zoo:mini-lm-t's pre-training mixture: four of DePT's tasks (packages/methods/dept/tasks),
TRAIN splits only, rewritten into natural instruction phrasings of their own.

The generated reasoning task is `compare` (order two numbers). The first mini-lm-t (2026-12-03) trained on
`parity` (is a + b even or odd?) instead; no phrasing of it rose above chance in 1,500 steps, nor did full
fine-tuning, so it was replaced (its phrasings are in that commit, 28eb985).

Why: T5, the model of the DePT paper, was pre-trained on C4 plus a multi-task mixture (GLUE among it) before
DePT tunes prompts on those tasks. A soft prompt can only invoke a skill the frozen model has. The phrasings
here never use the DePT task template ("Question: ...\\nAnswer:"), so the prompt still has to learn how to call
the skill from that template. Every phrasing ends with the label word, then the end token, so the model learns
to stop after the label.
"""

import json
import os
import re

TASKS = ("spam", "reuters", "sentiment", "compare")

# The content of each DePT input (the text inside "Question: ...\nAnswer:" without the task's question line).
_CONTENT = {
    "spam": re.compile(r"^Question: (?P<x>.*)\nIs this email spam or ham\?\nAnswer:$", re.S),
    "reuters": re.compile(r"^Question: News: (?P<x>.*)\nIs this article about corn, grain or other\?\nAnswer:$", re.S),
    "sentiment": re.compile(r'^Question: Is the sentence "(?P<x>.*)" positive or negative\?\nAnswer:$', re.S),
    "compare": re.compile(r"^Question: Is (?P<a>\d+) larger or smaller than (?P<b>\d+)\?\nAnswer:$", re.S),
}

# Three phrasings per task; none says "Question:" or "Answer:". {x} content, {y} label word.
PHRASINGS = {
    "spam": [
        "Email:\n{x}\nSpam filter verdict: {y}",
        "Classify the message as ham (wanted mail) or spam (junk).\n{x}\nClass: {y}",
        "{x}\n\nThe mail above was sorted as {y}",
    ],
    "reuters": [
        "Reuters story: {x}\nTopic: {y}",
        "Sort the newswire story into corn, grain or other.\n{x}\nCategory: {y}",
        "{x}\n\nThe desk filed this story under {y}",
    ],
    "sentiment": [
        "Sentence: {x}\nSentiment: {y}",
        "Rate the feeling of the words as positive or negative.\n{x}\nRating: {y}",
        "{x}\n\nThe tone of that sentence is {y}",
    ],
    # The label word comes after both numbers, and always says how the first compares with the second.
    "compare": [
        "Compared with {b}, the number {a} is {y}",
        "Number check: {a} against {b}\nThe first is {y}",
        "Put {a} beside {b}. Is it larger or smaller? It is {y}",
    ],
}


def read_split(tasks_dir, task, split):
    with open(os.path.join(tasks_dir, f"{task}.{split}.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def content_of(task, dept_input):
    match = _CONTENT[task].match(dept_input)
    if not match:
        raise ValueError(f"{task}: input not in the DePT template this recipe expects: {dept_input[:80]!r}")
    return match.groupdict()


def phrase(task, example, k):
    """The k-th natural phrasing of one example, label included (no end token; the caller adds it)."""
    return PHRASINGS[task][k].format(**content_of(task, example["input"]), y=example["label"])


def phrase_prompt(task, example, k):
    """The k-th phrasing up to (not including) the " <label>" — for scoring the skill under this phrasing."""
    text = PHRASINGS[task][k].format(**content_of(task, example["input"]), y="\0")
    return text[: text.index("\0")].rstrip(" ")


def training_documents(tasks_dir):
    """Every TRAIN example of every task under every phrasing: [(task, text)]."""
    docs = []
    for task in TASKS:
        for example in read_split(tasks_dir, task, "train"):
            for k in range(len(PHRASINGS[task])):
                docs.append((task, phrase(task, example, k)))
    return docs
