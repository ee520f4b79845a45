"""Recipe for zoo:mini-rm-b — a reward model for zoo:mini-lm's arithmetic answers that ranks the answers *to one
problem* (QAlign's regime: a task-specific reward model that tells right from wrong answers to the same question).

zoo:mini-rm (outcome labels only) separates correct from incorrect samples across problems (AUC 0.74) but
hardly within one (0.57): it learned which problems are hard. This recipe adds what it takes to rank within a
problem, each part measured in the card:

1. **Step-level (process) labels.** Every arithmetic step of a solution can be checked exactly: the label at
   every token of a completion is 1 while the text so far is still a prefix of the reference solution, 0 from
   the first wrong character on (a wrong operand, a wrong result, a skipped step). The head is trained on
   every completion token, so the trunk learns *where* a solution goes wrong, not only *which* problems fail.
   The exported model reads the score at the last token (EOS), where the label is the outcome (answer right).
2. **The LM's own samples** (temperature 1) on generated training problems disjoint from the LM's training
   and held-out problems (so from the 200 benchmark problems too), plus **hard negatives**: the reference
   solution with one number changed by a little (a result ±1..9 with the rest of the chain carried on from
   it, or an operand off by one) and the reference itself as a positive.
3. **A Bradley–Terry term** on pairs of samples to the same problem (correct above incorrect), the ranking
   QAlign and best-of-n use.

Run through `pnpm zoo:train mini-rm-b` or directly (1 thread, ~25 min here):
  /usr/bin/python3 recipes/mini-rm-b.py --out models/mini-rm-b

A killed run resumes: the sampled data is cached in --cache (data.pt) with the model after every epoch
(epoch.pt).

Input format (what attune's RewardModel adapter feeds): BOS + tokens(prompt + completion) + EOS, right-padded.
"""

import argparse
import copy
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
from attune_recipes.bpe import CHAR_BYTES, ByteBpeTokenizer  # noqa: E402
from attune_recipes.card import file_entries, print_comparison, read_reference_metrics, today, write_json  # noqa: E402
from attune_recipes.common import MODELS_DIR, PACKAGE_DIR, card_seed, log  # noqa: E402
from attune_recipes.gpt import GPT, RewardModel, export_reward, generate  # noqa: E402

MODEL_ID = "mini-rm-b"
OPSET = 17
MAX_NEW_TOKENS = 96
HEADLINE_KEYS = ["heldout.within_problem_auc", "heldout.pooled_auc", "heldout.accuracy_at_0", "train.rows"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lm-dir", default=os.path.join(MODELS_DIR, "mini-lm"), help="the mini-lm folder")
    parser.add_argument("--out", default=os.path.join(PACKAGE_DIR, ".retrain", MODEL_ID))
    parser.add_argument("--cache", default=os.path.join(PACKAGE_DIR, ".retrain", f"{MODEL_ID}.cache"),
                        help="sampled data and per-epoch checkpoints (a killed run resumes from them)")
    parser.add_argument("--seed", type=int, default=card_seed(MODEL_ID))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--train-problems", type=int, default=3000)
    parser.add_argument("--heldout-problems", type=int, default=200)
    parser.add_argument("--samples", type=int, default=8, help="LM samples per training problem")
    parser.add_argument("--heldout-samples", type=int, default=16, help="LM samples per held-out problem")
    parser.add_argument("--negatives", type=int, default=2, help="hard negatives per training problem")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--process-weight", type=float, default=1.0, help="weight of the per-token labels")
    parser.add_argument("--pair-weight", type=float, default=0.5, help="weight of the Bradley-Terry term")
    parser.add_argument("--max-minutes", type=float, default=38.0, help="stop training (and export) after this")
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


# ---- data ----------------------------------------------------------------------------------------------


def sample_rows(lm, tokenizer, problems, samples, generator, batch=256):
    """[{problem, prompt, completion, label, source}] with `samples` temperature-1 completions per problem."""
    rows = []
    todo = [(k, p) for k, p in enumerate(problems) for _ in range(samples)]
    started = time.time()
    for i in range(0, len(todo), batch):
        if i % (batch * 20) == 0:
            log(f"  sampled {i}/{len(todo)} ({time.time() - started:.0f} s)")
        chunk = todo[i : i + batch]
        prompts = [tokenizer.encode(arithmetic.prompt_of(p["question"])) for _, p in chunk]
        outs = generate(lm, prompts, tokenizer.eos_id, tokenizer.pad_id, MAX_NEW_TOKENS, 1.0, generator)
        for (k, p), out in zip(chunk, outs):
            completion = tokenizer.decode(out)
            label = int(arithmetic.extract_answer(completion) == p["answer"])
            rows.append({"problem": k, "prompt": arithmetic.prompt_of(p["question"]), "completion": completion,
                         "label": label, "source": "lm", "reference": " " + p["solution"]})
    return rows


def apply(a, op, b):
    return {"+": a + b, "-": a - b, "*": a * b, "/": a // b}[op]


def hard_negative(problem, rng):
    """The reference solution with one number a little wrong; None when the edit happens to give the same text."""
    equations = problem["solution"].split(" The answer is ")[0].split(". ")
    equations = [e.rstrip(".") for e in equations]
    k = rng.randrange(len(equations))
    left, result = equations[k].split(" = ")
    a, op, b = left.split(" ")
    a, b, result = int(a), int(b), int(result)
    if rng.random() < 0.5:  # a wrong result
        value = max(0, result + rng.choice([-1, 1]) * rng.randint(1, 9))
        out = equations[:k] + [f"{a} {op} {b} = {value}"]
    else:  # a mis-copied operand, computed correctly from it
        b = max(1, b + rng.choice([-1, 1]))
        value = apply(a, op, b)
        out = equations[:k] + [f"{a} {op} {b} = {value}"]
    for e in equations[k + 1 :]:  # the rest of the chain carried on from the wrong value, as the LM's errors are
        _, op2, b2 = e.split(" = ")[0].split(" ")
        nxt = apply(value, op2, int(b2))
        out.append(f"{value} {op2} {b2} = {nxt}")
        value = nxt
    text = " " + ". ".join(out) + f". The answer is {value}."
    return None if text == " " + problem["solution"] else text


def synthetic_rows(problems, negatives, rng):
    rows = []
    for k, p in enumerate(problems):
        prompt, reference = arithmetic.prompt_of(p["question"]), " " + p["solution"]
        rows.append({"problem": k, "prompt": prompt, "completion": reference, "label": 1, "source": "reference",
                     "reference": reference})
        for _ in range(negatives):
            text = hard_negative(p, rng)
            if text is not None:
                label = int(arithmetic.extract_answer(text) == p["answer"])
                rows.append({"problem": k, "prompt": prompt, "completion": text, "label": label,
                             "source": "hard-negative", "reference": reference})
    return rows


def token_bytes(tokenizer):
    """The bytes of every token id (EOS/PAD: none)."""
    out = {}
    for i, token in tokenizer.id_to_token.items():
        out[i] = b"" if i in (tokenizer.eos_id, tokenizer.pad_id) else bytes(CHAR_BYTES[c] for c in token)
    return out


def encode_row(tokenizer, tbytes, row):
    """ids = BOS + tokens(prompt + completion) + EOS, and the per-token process labels (-1 = no loss).

    A completion token's label is 1 while the completion's bytes up to its end are a prefix of the reference
    solution's, 0 after. The final EOS gets the outcome label. Prompt tokens carry no loss."""
    ids = tokenizer.encode(row["prompt"] + row["completion"]) + [tokenizer.eos_id]
    prompt_bytes = len(row["prompt"].encode("utf-8"))
    completion = row["completion"].encode("utf-8")
    reference = row["reference"].encode("utf-8")
    labels, end, ok = [], 0, True
    for i in ids[:-1]:
        end += len(tbytes[i])
        if end <= prompt_bytes:
            labels.append(-1)
            continue
        upto = completion[: end - prompt_bytes]
        ok = ok and reference.startswith(upto)
        labels.append(1 if ok else 0)
    labels.append(row["label"])
    return ids, labels


def collate(rows, pad_id):
    width = max(len(r["ids"]) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    dense = torch.full((len(rows), width), -1.0)
    for i, r in enumerate(rows):
        n = len(r["ids"])
        ids[i, :n] = torch.tensor(r["ids"])
        mask[i, :n] = 1
        dense[i, :n] = torch.tensor(r["dense"], dtype=torch.float32)
    labels = torch.tensor([float(r["label"]) for r in rows])
    return ids, mask, dense, labels


def token_scores(model, ids, mask):
    """The head at every position [b, s] (the exported model reads the last attended one)."""
    n, length = ids.shape
    positions = torch.arange(length).unsqueeze(0).expand(n, length)
    h, _ = model.lm.hidden(model.lm.wte(ids), mask, positions)
    return model.score(h)[..., 0]


def problem_batches(rows, batch_size, rng):
    """Batches that keep a problem's rows together, so the Bradley-Terry term has within-problem pairs."""
    by_problem = {}
    for r in rows:
        by_problem.setdefault((r["split"], r["problem"]), []).append(r)
    groups = list(by_problem.values())
    rng.shuffle(groups)
    batches, current = [], []
    for g in groups:
        current.extend(g)
        if len(current) >= batch_size:
            batches.append(current)
            current = []
    if current:
        batches.append(current)
    return batches


def pair_loss(final, labels, groups):
    """Bradley-Terry: -log sigmoid(r_correct - r_wrong) over all within-problem (correct, wrong) pairs."""
    same = groups.unsqueeze(0) == groups.unsqueeze(1)
    better = (labels.unsqueeze(1) == 1) & (labels.unsqueeze(0) == 0) & same
    if not bool(better.any()):
        return final.sum() * 0
    diff = final.unsqueeze(1) - final.unsqueeze(0)
    return F.softplus(-diff[better]).mean()


# ---- evaluation (as packages/methods/qalign/bench/headroom.ts measures it) ------------------------------


def auc(pos, neg):
    """P(a correct sample outscores an incorrect one), ties half."""
    if not pos or not neg:
        return None
    wins = 0.0
    for p in pos:
        for q in neg:
            wins += 1.0 if p > q else 0.5 if p == q else 0.0
    return wins / (len(pos) * len(neg))


@torch.no_grad()
def final_scores(model, rows, pad_id, batch=128):
    model.eval()
    out = []
    for i in range(0, len(rows), batch):
        ids, mask, _, _ = collate(rows[i : i + batch], pad_id)
        out.extend(model(ids, mask)[:, 0].tolist())
    return out


def ranking(scores, rows):
    pos_all, neg_all, within = [], [], []
    by_problem = {}
    for s, r in zip(scores, rows):
        by_problem.setdefault(r["problem"], []).append((s, r["label"]))
    for items in by_problem.values():
        pos = [s for s, y in items if y == 1]
        neg = [s for s, y in items if y == 0]
        pos_all += pos
        neg_all += neg
        if pos and neg:
            within.append(auc(pos, neg))
    labels = [r["label"] for r in rows]
    return {
        "within_problem_auc": sum(within) / len(within),
        "mixed_problems": len(within),
        "pooled_auc": auc_fast(pos_all, neg_all),
        "accuracy_at_0": sum((s > 0) == (y == 1) for s, y in zip(scores, labels)) / len(labels),
        "positive_rate": sum(labels) / len(labels),
        "samples": len(rows),
    }


def auc_fast(pos, neg):
    ranked = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        rank_sum += (i + j + 1) / 2 * sum(1 for k in range(i, j) if ranked[k][1] == 1)
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


# ---- main ----------------------------------------------------------------------------------------------


def build_data(args, lm, tokenizer, lm_seed, cache):
    if os.path.exists(cache):
        log(f"resuming: sampled data from {cache}")
        return torch.load(cache)
    lm_train = arithmetic.generate(lm_seed, 150_000)
    lm_heldout = arithmetic.generate(lm_seed + 1, 1000, exclude={p["question"] for p in lm_train})
    used = {p["question"] for p in lm_train} | {p["question"] for p in lm_heldout}
    # Seed lm_seed + 3: mini-rm used lm_seed + 2; these problems are disjoint from both LM sets.
    problems = arithmetic.generate(lm_seed + 3, args.train_problems + args.heldout_problems, exclude=used)
    train_problems, heldout_problems = problems[: args.train_problems], problems[args.train_problems :]
    generator = torch.Generator().manual_seed(args.seed)
    rng = random.Random(args.seed)
    started = time.time()
    train = sample_rows(lm, tokenizer, train_problems, args.samples, generator)
    train += synthetic_rows(train_problems, args.negatives, rng)
    heldout = sample_rows(lm, tokenizer, heldout_problems, args.heldout_samples, generator)
    tbytes = token_bytes(tokenizer)
    for split, rows in (("train", train), ("heldout", heldout)):
        for r in rows:
            r["ids"], r["dense"] = encode_row(tokenizer, tbytes, r)
            r["split"] = split
    log(f"sampled {len(train)} + {len(heldout)} rows in {time.time() - started:.0f} s")
    data = {"train": train, "heldout": heldout, "train_problems": len(train_problems),
            "heldout_problems": len(heldout_problems)}
    torch.save(data, cache)
    return data


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    reference = read_reference_metrics(os.path.join(MODELS_DIR, MODEL_ID, "card.json"))
    out = args.out
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    os.makedirs(args.cache, exist_ok=True)

    lm, lm_card, arch = load_lm(args.lm_dir)
    tokenizer = ByteBpeTokenizer.load(os.path.join(args.lm_dir, "tokenizer.json"))
    data = build_data(args, lm, tokenizer, lm_card["seed"], os.path.join(args.cache, "data.pt"))
    train, heldout = data["train"], data["heldout"]
    lm_rows = [r for r in train if r["source"] == "lm"]
    positive = sum(r["label"] for r in lm_rows) / len(lm_rows)
    log(f"train rows {len(train)} ({len(lm_rows)} LM samples, {positive:.1%} correct); held-out {len(heldout)}")

    model = RewardModel(copy.deepcopy(lm))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    rng = random.Random(args.seed)
    epoch_batches = [problem_batches(train, args.batch_size, rng) for _ in range(args.epochs)]
    total = sum(len(b) for b in epoch_batches)
    start_epoch, step, history, trained_seconds = 0, 0, [], 0.0
    checkpoint = os.path.join(args.cache, "epoch.pt")
    if os.path.exists(checkpoint):
        state = torch.load(checkpoint)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch, step, history, trained_seconds = state["epoch"], state["step"], state["history"], state["seconds"]
        log(f"resuming after epoch {start_epoch}")
    started = time.time() - trained_seconds
    stopped_early = False
    for epoch in range(start_epoch, args.epochs):
        model.train()
        for rows in epoch_batches[epoch]:
            ids, mask, dense, labels = collate(rows, tokenizer.pad_id)
            groups = torch.tensor([r["problem"] for r in rows])
            for group in optimizer.param_groups:
                group["lr"] = args.lr * min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * step / total))
            scores = token_scores(model, ids, mask)
            last = mask.sum(dim=1) - 1
            final = scores[torch.arange(len(rows)), last]
            loss_final = F.binary_cross_entropy_with_logits(final, labels)
            has = dense >= 0
            loss_process = F.binary_cross_entropy_with_logits(scores[has], dense[has])
            loss_pair = pair_loss(final, labels, groups)
            loss = loss_final + args.process_weight * loss_process + args.pair_weight * loss_pair
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            if step % 100 == 0:
                log(f"epoch {epoch} step {step}/{total} loss {loss.item():.4f} (final {loss_final.item():.3f} "
                    f"process {loss_process.item():.3f} pair {loss_pair.item():.3f}) {time.time() - started:.0f} s")
            step += 1
            if time.time() - started > args.max_minutes * 60:
                stopped_early = True
                break
        metrics = ranking(final_scores(model, heldout, tokenizer.pad_id), heldout)
        history.append({"epoch": epoch, "step": step, **{k: metrics[k] for k in ("within_problem_auc", "pooled_auc")}})
        log(f"  epoch {epoch}: held-out within-problem AUC {metrics['within_problem_auc']:.3f}, pooled {metrics['pooled_auc']:.3f}")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch + 1,
                    "step": step, "history": history, "seconds": time.time() - started}, checkpoint)
        if stopped_early:
            log(f"stopped after {args.max_minutes} minutes (--max-minutes)")
            break
    train_seconds = time.time() - started

    metrics = {
        "heldout": {**ranking(final_scores(model, heldout, tokenizer.pad_id), heldout),
                    "problems": data["heldout_problems"]},
        "train": {"rows": len(train), "lm_samples": len(lm_rows), "positive_rate": positive,
                  "hard_negatives": sum(r["source"] == "hard-negative" for r in train),
                  "references": sum(r["source"] == "reference" for r in train),
                  "steps": step, "seconds": round(train_seconds), "stopped_early": stopped_early},
        "history": history,
    }
    log(json.dumps(metrics))

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
    reference_rows = heldout[:4]
    write_json(
        os.path.join(out, "reference.json"),
        {
            "pairs": [
                {"prompt": r["prompt"], "completion": r["completion"], "label": r["label"], "ids": r["ids"], "score": s}
                for r, s in zip(reference_rows, final_scores(model, reference_rows, tokenizer.pad_id))
            ]
        },
    )
    card = {
        "id": f"zoo:{MODEL_ID}",
        "kind": "reward-model",
        "description": "Process-supervised reward model for zoo:mini-lm's arithmetic solutions, built to rank the "
        "answers to one problem: the LM's trunk plus a scalar head, trained on every token with step-level labels "
        "(is the solution still exactly right so far), the outcome at EOS, and a Bradley-Terry term on pairs of "
        "samples to the same problem.",
        "training_data": {
            "samples": f"{args.samples} temperature-1 samples of zoo:mini-lm (at most {MAX_NEW_TOKENS} new tokens) for "
            f"each of {args.train_problems} problems (seed {lm_card['seed'] + 3}, disjoint from the LM's training and "
            "held-out problems, so from the QAlign benchmark's 200 too)",
            "hard_negatives": f"{args.negatives} per problem: the reference solution with one result off by 1-9 (the "
            "rest of the chain carried on from it) or one operand off by 1; plus the reference itself as a positive",
            "labels": "per completion token: 1 while the text so far is a prefix of the reference solution; at EOS: "
            "1 when the extracted answer equals the true answer",
            "heldout": f"{args.heldout_samples} samples for each of {args.heldout_problems} further problems",
        },
        "recipe": "recipes/mini-rm-b.py",
        "retrain": "pnpm zoo:train mini-rm-b",
        "seed": args.seed,
        "base_model": "zoo:mini-lm",
        "hyperparameters": {
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "process_weight": args.process_weight,
            "pair_weight": args.pair_weight,
            "optimizer": "AdamW wd 0.01, 50-step warmup + cosine, grad clip 1.0; loss = BCE(EOS) + "
            "process_weight * BCE(every completion token) + pair_weight * Bradley-Terry(within-problem pairs)",
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
