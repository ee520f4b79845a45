"""Why zoo:mini-lm's wrong answers are wrong: arithmetic slips inside a step vs a wrong plan.

Samples `--samples` temperature-1 solutions for each of the first `--problems` problems of the LM's held-out
set (models/mini-lm/heldout.jsonl, which holds the QAlign benchmark's 200), classifies every wrong one with
attune_recipes.steps.classify, and writes the split (with a 95 % Wilson interval) as JSON:
  /usr/bin/python3 recipes/attune_recipes/error_split.py --out ../methods/qalign/results/error-split.json
(from packages/zoo; a script, not a recipe, so `pnpm zoo:train` does not list it).
It also reports how well the exact step check alone ranks the samples within a problem (an oracle for a
process reward model: score = 1 when every "a op b = c" step is right and the final answer is the last c).
"""

import argparse
import collections
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from attune_recipes import arithmetic, steps  # noqa: E402
from attune_recipes.bpe import ByteBpeTokenizer  # noqa: E402
from attune_recipes.common import MODELS_DIR, log  # noqa: E402
from attune_recipes.gpt import GPT, generate  # noqa: E402


def load_lm(lm_dir):
    with open(os.path.join(lm_dir, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(lm_dir, "card.json")) as f:
        arch = json.load(f)["architecture"]
    model = GPT(config["vocab_size"], arch["context_length"], arch["width"], arch["layers"], arch["heads"])
    model.load_state_dict(torch.load(os.path.join(lm_dir, "pytorch_model.bin")))
    return model.eval()


def wilson(k, n, z=1.96):
    if n == 0:
        return [None, None]
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(centre - half, 4), round(centre + half, 4)]


def process_score(completion):
    """1 when every step is exactly right and the final answer equals the last step's result, else 0."""
    found = steps.equations(completion)
    answer = arithmetic.extract_answer(completion)
    if not found or answer is None:
        return 0
    return int(all(steps.step_ok(a, op, b, c) for a, op, b, c, _, _ in found) and answer == found[-1][3])


def within_auc(groups):
    """Mean over problems with both classes of P(score correct > score wrong), ties half."""
    aucs = []
    for rows in groups.values():
        pos = [s for s, y in rows if y]
        neg = [s for s, y in rows if not y]
        if pos and neg:
            aucs.append(sum((p > q) + 0.5 * (p == q) for p in pos for q in neg) / (len(pos) * len(neg)))
    return sum(aucs) / len(aucs), len(aucs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=300)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", required=True)
    parser.add_argument("--dump", default=None, help="also write every sample (jsonl)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    lm_dir = os.path.join(MODELS_DIR, "mini-lm")
    lm = load_lm(lm_dir)
    tokenizer = ByteBpeTokenizer.load(os.path.join(lm_dir, "tokenizer.json"))
    with open(os.path.join(lm_dir, "heldout.jsonl")) as f:
        problems = [json.loads(line) for line in f][: args.problems]
    generator = torch.Generator().manual_seed(args.seed)
    todo = [p for p in problems for _ in range(args.samples)]
    dump = []
    counts, groups, examples = collections.Counter(), collections.defaultdict(list), collections.defaultdict(list)
    started = time.time()
    for i in range(0, len(todo), 256):
        chunk = todo[i : i + 256]
        prompts = [tokenizer.encode(arithmetic.prompt_of(p["question"])) for p in chunk]
        outs = generate(lm, prompts, tokenizer.eos_id, tokenizer.pad_id, 96, 1.0, generator)
        for p, out in zip(chunk, outs):
            text = tokenizer.decode(out)
            kind = steps.classify(p, text, arithmetic.extract_answer)
            counts[kind] += 1
            groups[p["id"]].append((process_score(text), kind == "correct"))
            dump.append({"id": p["id"], "kind": kind, "process": process_score(text), "completion": text})
            if len(examples[kind]) < 3:
                examples[kind].append({"id": p["id"], "reference": p["solution"], "completion": text})
        log(f"sampled {i + len(chunk)}/{len(todo)} ({time.time() - started:.0f} s) {dict(counts)}")
    wrong = sum(v for k, v in counts.items() if k != "correct")
    oracle, mixed = within_auc(groups)
    result = {
        "problems": f"first {args.problems} of models/mini-lm/heldout.jsonl",
        "samples_per_problem": args.samples,
        "seed": args.seed,
        "temperature": 1.0,
        "samples": len(todo),
        "counts": dict(counts),
        "wrong": wrong,
        "share_of_wrong": {k: {"share": round(v / wrong, 4), "ci95": wilson(v, wrong)} for k, v in counts.items()
                           if k != "correct"},
        "exact_step_check_within_problem_auc": round(oracle, 4),
        "problems_with_both": mixed,
        "examples": examples,
    }
    if args.dump:
        with open(args.dump, "w") as f:
            f.writelines(json.dumps(d) + "\n" for d in dump)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    log(json.dumps({k: result[k] for k in ("counts", "share_of_wrong", "exact_step_check_within_problem_auc")}))


if __name__ == "__main__":
    main()
