"""The arithmetic steps of a zoo arithmetic solution, checked exactly, and why a wrong solution is wrong.

A solution is a chain of equations "a op b = c." followed by "The answer is N." Each equation can be checked
exactly (is c = a op b?), which is the process label zoo:mini-rm-c is trained on. `classify` names the first
thing that goes wrong against the problem's reference solution, so the split between arithmetic slips and
wrong plans (right arithmetic, wrong operands, operations or number of steps) can be measured.
"""

import re

EQUATION = re.compile(r"(\d+) ([-+*/]) (\d+) = (-?\d+)\.")


def apply(a, op, b):
    """The exact result of a step, None where it is undefined (division by zero or with a remainder)."""
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0 or a % b:
        return None
    return a // b


def equations(text):
    """[(a, op, b, c, start, end)] of every "a op b = c." in `text`, character spans included."""
    return [(int(m[1]), m[2], int(m[3]), int(m[4]), m.start(), m.end()) for m in EQUATION.finditer(text)]


def step_ok(a, op, b, c):
    return apply(a, op, b) == c


def reference_steps(problem):
    return [(a, op, b, c) for a, op, b, c, _, _ in equations(problem["solution"])]


def classify(problem, completion, extract_answer):
    """One of: correct, slip (the reference's own step with a wrong result), slip-off-plan (a step that is not
    the reference's and whose result is also wrong), plan (every step right, a different step than the
    reference's: wrong operand or operation, a step missing or extra, a chain broken), answer-mismatch (steps
    right, final sentence disagrees), no-answer. The first deviation from the reference decides."""
    answer = extract_answer(completion)
    if answer == problem["answer"]:
        return "correct"
    found = equations(completion)
    ref = reference_steps(problem)
    for k, (a, op, b, c, _, _) in enumerate(found):
        if k < len(ref) and (a, op, b) == ref[k][:3]:
            if c != ref[k][3]:
                return "slip"  # the reference's own step with a wrong result
            continue
        # a different step than the reference's: a slip if its own arithmetic is wrong, else a wrong plan
        return "slip-off-plan" if not step_ok(a, op, b, c) else "plan"
    if len(found) < len(ref):
        return "plan"  # stopped early with correct steps
    if answer is None:
        return "no-answer"
    return "answer-mismatch"
