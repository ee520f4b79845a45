"""Recipe for zoo:mini-rm — a reward model for zoo:mini-lm's arithmetic answers, trained as QAlign trains its
task reward model: on the LM's own samples, labelled correct or incorrect by the final answer.

Run through `pnpm zoo:train mini-rm` or directly:
  /usr/bin/python3 recipes/mini-rm.py --out models/mini-rm

1. Samples `--samples` solutions per problem from mini-lm (temperature 1) for problems disjoint from the LM's
   training and held-out problems; label = the extracted answer equals the true one.
2. Fine-tunes the LM's trunk plus a zero-initialised scalar head with binary cross-entropy.
3. Card: AUC, accuracy and calibration on samples for a further disjoint set of problems. The model judges
   whole solutions by their text, so it is imperfect by nature (it cannot redo the arithmetic reliably).

Input format (what attune's RewardModel adapter feeds): BOS + tokens(prompt + completion) + EOS, right-padded.
"""

import argparse
import json
import math
import os
import random
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from attune_recipes.deps import check_dependencies  # noqa: E402

check_dependencies(extra_modules=("regex",))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attune_recipes import arithmetic  # noqa: E402
from attune_recipes.bpe import ByteBpeTokenizer  # noqa: E402
from attune_recipes.card import file_entries, print_comparison, read_reference_metrics, today, write_json  # noqa: E402
from attune_recipes.common import MODELS_DIR, PACKAGE_DIR, card_seed, log  # noqa: E402
from attune_recipes.gpt import GPT, RewardModel, export_reward, generate  # noqa: E402

MODEL_ID = "mini-rm"
OPSET = 17
HEADLINE_KEYS = ["heldout.auc", "heldout.accuracy_at_0", "heldout.positive_rate", "train.samples"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lm-dir", default=os.path.join(MODELS_DIR, "mini-lm"), help="the mini-lm folder")
    parser.add_argument("--out", default=os.path.join(PACKAGE_DIR, ".retrain", MODEL_ID))
    parser.add_argument("--seed", type=int, default=card_seed(MODEL_ID))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-problems", type=int, default=2000)
    parser.add_argument("--heldout-problems", type=int, default=300)
    parser.add_argument("--samples", type=int, default=8, help="LM samples per problem")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-4)
    return parser.parse_args()


def load_lm(lm_dir):
    with open(os.path.join(lm_dir, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(lm_dir, "card.json")) as f:
        card = json.load(f)
    arch = card["architecture"]
    model = GPT(config["vocab_size"], arch["context_length"], arch["width"], arch["layers"], arch["heads"])
    model.load_state_dict(torch.load(os.path.join(lm_dir, "pytorch_model.bin")))
    model.eval()
    return model, card, arch


def sample_dataset(lm, tokenizer, problems, samples, generator, batch=256):
    """[(prompt, completion, label)] with `samples` temperature-1 completions per problem."""
    rows = [p for p in problems for _ in range(samples)]
    data = []
    for i in range(0, len(rows), batch):
        chunk = rows[i : i + batch]
        prompts = [tokenizer.encode(arithmetic.prompt_of(p["question"])) for p in chunk]
        outs = generate(lm, prompts, tokenizer.eos_id, tokenizer.pad_id, 96, 1.0, generator)
        for p, out in zip(chunk, outs):
            completion = tokenizer.decode(out)
            label = int(arithmetic.extract_answer(completion) == p["answer"])
            data.append((arithmetic.prompt_of(p["question"]), completion, label))
    return data


def encode_pair(tokenizer, prompt, completion):
    return tokenizer.encode(prompt + completion) + [tokenizer.eos_id]


def batch_tensors(tokenizer, rows):
    encoded = [encode_pair(tokenizer, p, c) for p, c, _ in rows]
    width = max(len(e) for e in encoded)
    ids = torch.full((len(rows), width), tokenizer.pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, e in enumerate(encoded):
        ids[i, : len(e)] = torch.tensor(e)
        mask[i, : len(e)] = 1
    labels = torch.tensor([float(label) for _, _, label in rows])
    return ids, mask, labels


@torch.no_grad()
def scores_of(model, tokenizer, rows, batch=128):
    out = []
    for i in range(0, len(rows), batch):
        ids, mask, _ = batch_tensors(tokenizer, rows[i : i + batch])
        out.extend(model(ids, mask)[:, 0].tolist())
    return out


def auc(scores, labels):
    """Probability that a random correct sample outscores a random incorrect one (ties count half)."""
    pos = [s for s, y in zip(scores, labels) if y == 1]
    neg = [s for s, y in zip(scores, labels) if y == 0]
    if not pos or not neg:
        return None  # undefined with one class only (JSON has no NaN)
    ranked = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mean_rank = (i + j + 1) / 2
        rank_sum += mean_rank * sum(1 for k in range(i, j) if ranked[k][1] == 1)
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    reference = read_reference_metrics(os.path.join(MODELS_DIR, MODEL_ID, "card.json"))
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)

    lm, lm_card, arch = load_lm(args.lm_dir)
    tokenizer = ByteBpeTokenizer.load(os.path.join(args.lm_dir, "tokenizer.json"))
    lm_seed = lm_card["seed"]
    lm_train = arithmetic.generate(lm_seed, 150_000)
    lm_heldout = arithmetic.generate(lm_seed + 1, 1000, exclude={p["question"] for p in lm_train})
    used = {p["question"] for p in lm_train} | {p["question"] for p in lm_heldout}
    problems = arithmetic.generate(lm_seed + 2, args.train_problems + args.heldout_problems, exclude=used)
    train_problems, heldout_problems = problems[: args.train_problems], problems[args.train_problems :]

    started = time.time()
    train_rows = sample_dataset(lm, tokenizer, train_problems, args.samples, generator)
    heldout_rows = sample_dataset(lm, tokenizer, heldout_problems, args.samples, generator)
    positive = sum(r[2] for r in train_rows) / len(train_rows)
    log(f"sampled {len(train_rows)} + {len(heldout_rows)} solutions in {time.time() - started:.0f} s; {positive:.1%} correct")

    model = RewardModel(lm)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train_rows) / args.batch_size)
    total = steps_per_epoch * args.epochs
    step = 0
    started = time.time()
    for epoch in range(args.epochs):
        order = list(range(len(train_rows)))
        rng.shuffle(order)
        model.train()
        for i in range(0, len(order), args.batch_size):
            rows = [train_rows[k] for k in order[i : i + args.batch_size]]
            ids, mask, labels = batch_tensors(tokenizer, rows)
            for group in optimizer.param_groups:
                group["lr"] = args.lr * min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * step / total))
            loss = F.binary_cross_entropy_with_logits(model(ids, mask)[:, 0], labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            if step % 50 == 0:
                log(f"epoch {epoch} step {step}/{total} loss {loss.item():.4f}")
            step += 1
        model.eval()
        held_scores = scores_of(model, tokenizer, heldout_rows)
        log(f"  epoch {epoch}: held-out AUC {auc(held_scores, [r[2] for r in heldout_rows])}")
    train_seconds = time.time() - started

    labels = [r[2] for r in heldout_rows]
    held_scores = scores_of(model, tokenizer, heldout_rows)
    metrics = {
        "heldout": {
            "auc": auc(held_scores, labels),
            "accuracy_at_0": sum((s > 0) == (y == 1) for s, y in zip(held_scores, labels)) / len(labels),
            "positive_rate": sum(labels) / len(labels),
            "samples": len(labels),
            "problems": len(heldout_problems),
        },
        "train": {"samples": len(train_rows), "positive_rate": positive, "seconds": round(train_seconds)},
    }
    log(json.dumps(metrics))

    out = args.out
    export_reward(model, os.path.join(out, "onnx", "model.onnx"), OPSET)
    shutil.copy(os.path.join(args.lm_dir, "tokenizer.json"), os.path.join(out, "tokenizer.json"))
    shutil.copy(os.path.join(args.lm_dir, "tokenizer_config.json"), os.path.join(out, "tokenizer_config.json"))
    params = sum(p.numel() for p in model.parameters())
    write_json(
        os.path.join(out, "config.json"),
        {
            "model_type": "attune-gpt-reward",
            "architectures": ["AttuneGPTForSequenceClassification"],
            "num_labels": 1,
            "vocab_size": len(tokenizer),
            "hidden_size": arch["width"],
            "num_hidden_layers": arch["layers"],
            "num_attention_heads": arch["heads"],
            "max_position_embeddings": arch["context_length"],
            "bos_token_id": tokenizer.eos_id,
            "eos_token_id": tokenizer.eos_id,
            "pad_token_id": tokenizer.pad_id,
            "num_parameters": params,
            "input_format": "bos + tokens(prompt + completion) + eos, right-padded",
            "prompt_template": "Question: {question}\nAnswer:",
        },
    )
    reference_rows = heldout_rows[:4]
    write_json(
        os.path.join(out, "reference.json"),
        {
            "pairs": [
                {"prompt": p, "completion": c, "label": y, "ids": encode_pair(tokenizer, p, c), "score": s}
                for (p, c, y), s in zip(reference_rows, scores_of(model, tokenizer, reference_rows))
            ]
        },
    )
    card = {
        "id": f"zoo:{MODEL_ID}",
        "kind": "reward-model",
        "description": "Outcome reward model for zoo:mini-lm's arithmetic solutions: the LM's trunk plus a scalar head, "
        "trained on the LM's own samples labelled correct/incorrect by their final answer.",
        "training_data": {
            "samples": f"{args.samples} temperature-1 samples of zoo:mini-lm for each of {args.train_problems} problems "
            f"(seed {lm_seed + 2}, disjoint from the LM's training and held-out problems)",
            "labels": "1 when the extracted answer equals the true answer",
        },
        "recipe": "recipes/mini-rm.py",
        "retrain": "pnpm zoo:train mini-rm",
        "seed": args.seed,
        "base_model": "zoo:mini-lm",
        "hyperparameters": {
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "optimizer": "AdamW wd 0.01, 50-step warmup + cosine, grad clip 1.0, binary cross-entropy",
            "threads": args.threads,
        },
        "architecture": {**arch, "parameters": params, "head": "linear on the last attended token"},
        "metrics": metrics,
        "date": today(),
        "files": file_entries(out),
    }
    write_json(os.path.join(out, "card.json"), card)
    print_comparison(metrics, reference, HEADLINE_KEYS)


if __name__ == "__main__":
    main()
