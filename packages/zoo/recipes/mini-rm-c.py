"""Recipe for zoo:mini-rm-c — a process reward model for zoo:mini-lm's arithmetic: a learned step verifier that
reads every "a op b = c." of a solution and scores the solution by its worst step, so that solutions with a
wrong step rank below right ones *to the same problem* (QAlign's regime).

Why this design (measured, results/error-split.json of @attune/method-qalign): 96 % of mini-lm's wrong
answers on held-out problems are arithmetic slips inside a step (a op b = c with c wrong; mostly c off by
±1 or ±10), 4 % a wrong plan with right arithmetic. zoo:mini-rm (outcome labels, the LM's trunk) ranks within a
problem at AUC 0.57; mini-rm-b (the same trunk with prefix-of-reference labels) at 0.55-0.60. A slip is local:
it can be judged from the ~20 tokens around the equation, so the verifier is a windowed network, not a
trunk that must read the whole question:

- **Model** (`--arch reader`, the committed one): at every position a two-layer MLP (256, GELU) reads the
  **number reader**'s fixed features (attune_recipes/number_reader.py: the values and logs of the last four
  numbers, the last operator) beside a learned summary of the last 24 tokens (token embeddings (32) → a
  causal 1-D convolution, 64 channels, GELU), and gives one "this step is right" logit. The solution's score is
  the **minimum** over its attended positions (a chain is as good as its worst step). Why the reader: the
  first design (`--arch conv`: embeddings → a 256-channel convolution over the window → two 1×1 layers) had to
  learn place value and where each operand sits from digit tokens, and after 6 epochs agreed with the exact
  check on only 81 % of held-out steps; the same MLP on the reader's features at the checked positions agrees
  on 96 % after a minute.
- **Labels (process reward, exact)**: at the "." closing each equation: 1 when c = a op b (and a equals the
  previous step's result), else 0; at the "." closing "The answer is N.": 1 when N is the last step's result.
  Every other position: 1 (with a small weight), so the minimum is decided by the checked positions.
- **Data**: the LM's own temperature-1 samples (many per problem) on generated training problems disjoint from
  the LM's training and held-out problems (so from the QAlign benchmark's 200), the reference solutions, and
  synthetic step corruptions of both (one result changed by an LM-like slip: ±1, ±2, ±10, ±20, ±9, ±11, …,
  the chain carried on from the wrong value as the LM's slips are).
- **Loss**: weighted per-position binary cross-entropy, plus binary cross-entropy of the pooled score against
  "every step right", plus a Bradley–Terry term on within-problem pairs (answer right above answer wrong).
- **Card**: within-problem AUC (mean over problems with both classes) and pooled AUC on held-out problems'
  LM samples, labelled by the final answer (as @attune/method-qalign's report measures it).

Run through `pnpm zoo:train mini-rm-c` or directly (1 thread):
  /usr/bin/python3 recipes/mini-rm-c.py --out models/mini-rm-c
--smoke: a few problems and steps, to check the pipeline end to end (its card's AUC is meaningless).

Input format (what attune's RewardModel adapter feeds): BOS + tokens(prompt + completion) + EOS, right-padded.
"""

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from attune_recipes.deps import check_dependencies  # noqa: E402

check_dependencies(extra_modules=("regex",))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attune_recipes import arithmetic, steps  # noqa: E402
from attune_recipes.bpe import ByteBpeTokenizer  # noqa: E402
from attune_recipes.card import file_entries, print_comparison, read_reference_metrics, today, write_json  # noqa: E402
from attune_recipes.common import MODELS_DIR, PACKAGE_DIR, card_seed, log  # noqa: E402
from attune_recipes.gpt import GPT, export_reward, generate  # noqa: E402
from attune_recipes.number_reader import NumberReader, digit_and_operator_ids  # noqa: E402

MODEL_ID = "mini-rm-c"
OPSET = 17
MAX_NEW_TOKENS = 96
ANSWER = re.compile(r"The answer is (-?\d+)\.")
# LM-like slips: how far a wrong result lands from the right one (measured on mini-lm's samples: ±10 and ±1
# dominate, then ±20, ±2, ±9, ±11).
SLIPS = [10, 10, 10, 1, 1, 1, 20, 2, 9, 11, 3, 5, 12, 8, 30, 4]
HEADLINE_KEYS = ["heldout.within_problem_auc", "heldout.pooled_auc", "heldout.step_accuracy", "train.rows"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lm-dir", default=os.path.join(MODELS_DIR, "mini-lm"), help="the mini-lm folder")
    parser.add_argument("--out", default=os.path.join(PACKAGE_DIR, ".retrain", MODEL_ID))
    parser.add_argument("--seed", type=int, default=card_seed(MODEL_ID))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--train-problems", type=int, default=2000)
    parser.add_argument("--heldout-problems", type=int, default=200)
    parser.add_argument("--samples", type=int, default=8, help="LM samples per training problem")
    parser.add_argument("--heldout-samples", type=int, default=16, help="LM samples per held-out problem")
    parser.add_argument("--corruptions", type=int, default=4, help="synthetic corruptions per problem")
    parser.add_argument("--epochs", type=int, default=10)  # the committed model (--arch conv was run with 6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--window", type=int, default=24)
    parser.add_argument("--embed", type=int, default=32)
    parser.add_argument("--channels", type=int, default=256)
    parser.add_argument("--arch", choices=["reader", "conv"], default="reader",
                        help="reader: number-reader features + windowed context into a per-position MLP (the "
                        "committed model); conv: the first design, a windowed convolution over token embeddings only")
    parser.add_argument("--context", type=int, default=64, help="reader arch: context channels of the window")
    parser.add_argument("--cache", default=None, help="cache the sampled data here (data.pt)")
    parser.add_argument("--smoke", action="store_true")
    return parser.parse_args()


class StepVerifier(nn.Module):
    """Per-position "the step closing here is right" logits from a causal window; score = min over the row."""

    def __init__(self, vocab, window, embed, channels):
        super().__init__()
        self.window = window
        self.embed = nn.Embedding(vocab, embed)
        self.conv = nn.Conv1d(embed, channels, window)
        self.mid = nn.Conv1d(channels, channels, 1)
        self.out = nn.Conv1d(channels, 1, 1)

    def positions(self, input_ids):
        x = self.embed(input_ids).transpose(1, 2)  # (n, embed, length)
        x = F.pad(x, (self.window - 1, 0))  # causal: position t sees tokens t-window+1 .. t
        h = F.gelu(self.conv(x))
        h = F.gelu(self.mid(h))
        return self.out(h)[:, 0, :]  # (n, length)

    def pool(self, logits, attention_mask):
        # Padding can never be the minimum; a row's score is its worst attended position.
        masked = logits + (1 - attention_mask.to(logits.dtype)) * 1e4
        return masked.min(dim=1, keepdim=True).values

    def forward(self, input_ids, attention_mask):
        return self.pool(self.positions(input_ids), attention_mask)


class ReaderVerifier(StepVerifier):
    """The same per-position logits and min-pooling, but each position's MLP reads the number reader's
    features (the last numbers' values and logs, the last operator) directly, beside a learned linear summary
    of the token window (where a step or the answer sentence closes, first step or not)."""

    def __init__(self, vocab, window, embed, channels, context, reader):
        nn.Module.__init__(self)
        self.window = window
        self.reader = reader
        self.embed = nn.Embedding(vocab, embed)
        self.conv = nn.Conv1d(embed, context, window)
        self.inp = nn.Conv1d(context + reader.channels, channels, 1)
        self.mid = nn.Conv1d(channels, channels, 1)
        self.out = nn.Conv1d(channels, 1, 1)

    def positions(self, input_ids):
        x = F.pad(self.embed(input_ids).transpose(1, 2), (self.window - 1, 0))
        h = torch.cat([F.gelu(self.conv(x)), self.reader(input_ids)], 1)
        h = F.gelu(self.inp(h))
        h = F.gelu(self.mid(h))
        return self.out(h)[:, 0, :]


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


def sample_rows(lm, tokenizer, problems, samples, generator, batch=256):
    """[{problem, prompt, completion, label, source}] with `samples` temperature-1 completions per problem."""
    rows, todo, started = [], [(k, p) for k, p in enumerate(problems) for _ in range(samples)], time.time()
    for i in range(0, len(todo), batch):
        if i % (batch * 10) == 0:
            log(f"  sampled {i}/{len(todo)} ({time.time() - started:.0f} s)")
        chunk = todo[i : i + batch]
        prompts = [tokenizer.encode(arithmetic.prompt_of(p["question"])) for _, p in chunk]
        outs = generate(lm, prompts, tokenizer.eos_id, tokenizer.pad_id, MAX_NEW_TOKENS, 1.0, generator)
        for (k, p), out in zip(chunk, outs):
            completion = tokenizer.decode(out)
            rows.append({"problem": k, "prompt": arithmetic.prompt_of(p["question"]), "completion": completion,
                         "label": int(arithmetic.extract_answer(completion) == p["answer"]), "source": "lm"})
    return rows


def corrupt(completion, rng):
    """The completion with one step's result changed by an LM-like slip, the chain carried on from it (or, one
    time in four, not carried on: the next step then starts from a number no step produced). None when the
    completion has no step to corrupt."""
    found = steps.equations(completion)
    if not found:
        return None
    k = rng.randrange(len(found))
    a, op, b, c, start, end = found[k]
    value = c + rng.choice([-1, 1]) * rng.choice(SLIPS)
    if value < 0 or value == c:
        value = c + rng.choice(SLIPS)
    parts = [completion[:start], f"{a} {op} {b} = {value}."]
    carry = rng.random() < 0.75
    tail_from = end
    if carry:
        for a2, op2, b2, _, _, end2 in found[k + 1 :]:
            nxt = steps.apply(value, op2, b2)
            if nxt is None:  # a division that no longer comes out even: copy the LM's habit of flooring
                nxt = value // b2 if b2 else value
            parts.append(f" {value} {op2} {b2} = {nxt}.")
            value = nxt
            tail_from = end2
        rest = completion[tail_from:]
        rest = ANSWER.sub(f"The answer is {value}.", rest)
        return "".join(parts) + rest
    return "".join(parts) + completion[tail_from:]


def synthetic_rows(problems, lm_rows, corruptions, rng):
    rows = []
    for k, p in enumerate(problems):
        prompt, reference = arithmetic.prompt_of(p["question"]), " " + p["solution"]
        rows.append({"problem": k, "prompt": prompt, "completion": reference, "label": 1, "source": "reference"})
        for _ in range(corruptions):
            text = corrupt(reference, rng)
            if text is not None and text != reference:
                rows.append({"problem": k, "prompt": prompt, "completion": text,
                             "label": int(arithmetic.extract_answer(text) == p["answer"]), "source": "corrupted"})
    answers = {k: p["answer"] for k, p in enumerate(problems)}
    for r in lm_rows:  # the LM's own right-step samples, one step slipped
        if process_ok(r["completion"]) and rng.random() < 0.5:
            text = corrupt(r["completion"], rng)
            if text is not None and text != r["completion"]:
                rows.append({**r, "completion": text, "label": int(arithmetic.extract_answer(text) == answers[r["problem"]]),
                             "source": "lm-corrupted"})
    return rows


def checks(completion):
    """[(char index of the closing ".", right?)] for every equation and the final answer sentence."""
    out, previous = [], None
    for a, op, b, c, _, end in steps.equations(completion):
        out.append((end - 1, steps.step_ok(a, op, b, c) and (previous is None or a == previous)))
        previous = c
    answers = list(ANSWER.finditer(completion))
    if answers and previous is not None:
        m = answers[-1]
        out.append((m.end() - 1, int(m[1]) == previous))
    return out


def process_ok(completion):
    found = checks(completion)
    return bool(found) and all(ok for _, ok in found)


def encode_row(tokenizer, token_text, row):
    """ids = BOS + tokens(prompt + completion) + EOS; targets/weights per position (the checked "." tokens get
    weight 1 and the exact label, the rest label 1 with weight 0.05)."""
    ids = tokenizer.encode(row["prompt"] + row["completion"]) + [tokenizer.eos_id]
    ends, at = [], 0
    for i in ids[:-1]:
        at += len(token_text[i])
        ends.append(at)  # char offset just past this token (BOS: 0)
    ends.append(at)
    target = [1.0] * len(ids)
    weight = [0.05] * len(ids)
    offset = len(row["prompt"])
    by_end = {}
    for k, e in enumerate(ends[:-1]):
        if k > 0:
            by_end.setdefault(e, k)  # the token that ends there (not the EOS after it)
    for char, ok in checks(row["completion"]):
        k = by_end.get(offset + char + 1)
        if k is not None:
            target[k], weight[k] = float(ok), 1.0
    return {"ids": ids, "target": target, "weight": weight, "label": row["label"], "problem": row["problem"],
            "process": float(process_ok(row["completion"]))}


def collate(rows, pad_id):
    width = max(len(r["ids"]) for r in rows)
    n = len(rows)
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    mask = torch.zeros((n, width), dtype=torch.long)
    target = torch.ones((n, width))
    weight = torch.zeros((n, width))
    for i, r in enumerate(rows):
        m = len(r["ids"])
        ids[i, :m] = torch.tensor(r["ids"])
        mask[i, :m] = 1
        target[i, :m] = torch.tensor(r["target"])
        weight[i, :m] = torch.tensor(r["weight"])
    return ids, mask, target, weight


@torch.no_grad()
def scores_of(model, rows, pad_id, batch=256):
    out = []
    for i in range(0, len(rows), batch):
        ids, mask, _, _ = collate(rows[i : i + batch], pad_id)
        out.extend(model(ids, mask)[:, 0].tolist())
    return out


def auc(pos, neg):
    """P(a positive outscores a negative), ties half; None with one class only."""
    if not pos or not neg:
        return None
    ranked = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        rank_sum += (i + j + 1) / 2 * sum(1 for k in range(i, j) if ranked[k][1] == 1)
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def ranking(rows, scores):
    """Pooled AUC and mean within-problem AUC (problems with both classes), labels = final answer right."""
    pooled = auc([s for r, s in zip(rows, scores) if r["label"]], [s for r, s in zip(rows, scores) if not r["label"]])
    groups = {}
    for r, s in zip(rows, scores):
        groups.setdefault(r["problem"], ([], []))[0 if r["label"] else 1].append(s)
    within = [auc(p, n) for p, n in groups.values() if p and n]
    return pooled, (sum(within) / len(within) if within else None), len(within)


def pair_loss(scores, rows):
    """Bradley–Terry on within-problem pairs of the batch: -log σ(s_right - s_wrong)."""
    terms = []
    by_problem = {}
    for i, r in enumerate(rows):
        by_problem.setdefault(r["problem"], ([], []))[0 if r["label"] else 1].append(i)
    for pos, neg in by_problem.values():
        for i in pos:
            for j in neg:
                terms.append(F.softplus(scores[j] - scores[i]))
    return torch.stack(terms).mean() if terms else scores.sum() * 0


def batches(rows, size, rng):
    """Batches that keep each problem's rows together (so the pair loss has pairs)."""
    groups = {}
    for r in rows:
        groups.setdefault(r["problem"], []).append(r)
    keys = list(groups)
    rng.shuffle(keys)
    batch = []
    for key in keys:
        batch.extend(groups[key])
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def main():
    args = parse_args()
    if args.smoke:
        args.train_problems, args.heldout_problems, args.samples, args.heldout_samples, args.epochs = 40, 20, 4, 8, 1
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    reference = read_reference_metrics(os.path.join(MODELS_DIR, MODEL_ID, "card.json"))
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)

    lm, lm_card, arch = load_lm(args.lm_dir)
    tokenizer = ByteBpeTokenizer.load(os.path.join(args.lm_dir, "tokenizer.json"))
    token_text = {i: ("" if i in (tokenizer.eos_id, tokenizer.pad_id) else tokenizer.decode([i])) for i in range(len(tokenizer))}
    lm_seed = lm_card["seed"]
    started = time.time()
    if args.cache and os.path.exists(os.path.join(args.cache, "data.pt")):
        data = torch.load(os.path.join(args.cache, "data.pt"))
        log(f"loaded sampled data from {args.cache}")
    else:
        lm_train = arithmetic.generate(lm_seed, 150_000)
        lm_heldout = arithmetic.generate(lm_seed + 1, 1000, exclude={p["question"] for p in lm_train})
        used = {p["question"] for p in lm_train} | {p["question"] for p in lm_heldout}
        # Seed lm_seed + 4: mini-rm used lm_seed + 2 and mini-rm-b lm_seed + 3; disjoint from the LM's sets.
        problems = arithmetic.generate(lm_seed + 4, args.train_problems + args.heldout_problems, exclude=used)
        train_problems, heldout_problems = problems[: args.train_problems], problems[args.train_problems :]
        lm_rows = sample_rows(lm, tokenizer, train_problems, args.samples, generator)
        heldout_rows = sample_rows(lm, tokenizer, heldout_problems, args.heldout_samples, generator)
        data = {"train_problems": train_problems, "heldout_problems": heldout_problems, "lm_rows": lm_rows,
                "heldout_rows": heldout_rows}
        if args.cache:
            os.makedirs(args.cache, exist_ok=True)
            torch.save(data, os.path.join(args.cache, "data.pt"))
    sample_seconds = time.time() - started
    lm_rows, heldout_rows = data["lm_rows"], data["heldout_rows"]
    rows = lm_rows + synthetic_rows(data["train_problems"], lm_rows, args.corruptions, rng)
    train = [encode_row(tokenizer, token_text, r) for r in rows]
    heldout = [encode_row(tokenizer, token_text, r) for r in heldout_rows]
    sources = {}
    for r in rows:
        sources[r["source"]] = sources.get(r["source"], 0) + 1
    log(f"{len(train)} training rows {sources}; {len(heldout)} held-out; LM sample accuracy "
        f"{sum(r['label'] for r in lm_rows) / len(lm_rows):.1%} ({sample_seconds:.0f} s)")

    if args.arch == "reader":
        digits, operators = digit_and_operator_ids(tokenizer)
        model = ReaderVerifier(len(tokenizer), args.window, args.embed, args.channels, args.context,
                               NumberReader(len(tokenizer), digits, operators))
    else:
        model = StepVerifier(len(tokenizer), args.window, args.embed, args.channels)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    total, step, started = steps_per_epoch * args.epochs, 0, time.time()
    history = []
    for epoch in range(args.epochs):
        model.train()
        for batch in batches(train, args.batch_size, rng):
            ids, mask, target, weight = collate(batch, tokenizer.pad_id)
            for group in optimizer.param_groups:
                group["lr"] = args.lr * min(1.0, (step + 1) / 100) * 0.5 * (1 + math.cos(math.pi * min(step, total) / total))
            logits = model.positions(ids)
            token_loss = (F.binary_cross_entropy_with_logits(logits, target, reduction="none") * weight).sum() / weight.sum()
            pooled = model.pool(logits, mask)[:, 0]
            process = torch.tensor([r["process"] for r in batch])
            loss = token_loss + F.binary_cross_entropy_with_logits(pooled, process) + 0.5 * pair_loss(pooled, batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            if step % 100 == 0:
                log(f"epoch {epoch} step {step}/{total} loss {loss.item():.4f} token {token_loss.item():.4f} "
                    f"({time.time() - started:.0f} s)")
            step += 1
        model.eval()
        pooled_auc, within_auc, mixed = ranking(heldout, scores_of(model, heldout, tokenizer.pad_id))
        history.append({"epoch": epoch, "within_problem_auc": within_auc, "pooled_auc": pooled_auc})
        log(f"  epoch {epoch}: held-out within-problem AUC {within_auc} ({mixed} problems), pooled {pooled_auc}")
    train_seconds = time.time() - started

    model.eval()
    held_scores = scores_of(model, heldout, tokenizer.pad_id)
    pooled_auc, within_auc, mixed = ranking(heldout, held_scores)
    # How often the verifier's sign agrees with the exact check at the checked positions (held-out samples).
    right = checked = 0
    with torch.no_grad():
        for i in range(0, len(heldout), 256):
            chunk = heldout[i : i + 256]
            ids, mask, target, weight = collate(chunk, tokenizer.pad_id)
            logits = model.positions(ids)
            sel = weight == 1.0
            right += int(((logits[sel] > 0).float() == target[sel]).sum())
            checked += int(sel.sum())
    oracle_scores = [r["process"] for r in heldout]
    oracle_pooled, oracle_within, _ = ranking(heldout, oracle_scores)
    metrics = {
        "heldout": {
            "within_problem_auc": within_auc,
            "pooled_auc": pooled_auc,
            "problems_with_both": mixed,
            "step_accuracy": right / checked,
            "checked_steps": checked,
            "exact_check_within_problem_auc": oracle_within,
            "exact_check_pooled_auc": oracle_pooled,
            "positive_rate": sum(r["label"] for r in heldout) / len(heldout),
            "samples": len(heldout),
            "problems": len(data["heldout_problems"]),
            "samples_per_problem": args.heldout_samples,
        },
        "train": {"rows": len(train), "sources": sources, "seconds": round(train_seconds),
                  "sampling_seconds": round(sample_seconds), "history": history},
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
            "architectures": ["AttuneStepVerifierForSequenceClassification"],
            "num_labels": 1,
            "vocab_size": len(tokenizer),
            "hidden_size": args.channels,
            "max_position_embeddings": arch["context_length"],
            "bos_token_id": tokenizer.eos_id,
            "eos_token_id": tokenizer.eos_id,
            "pad_token_id": tokenizer.pad_id,
            "num_parameters": params,
            "input_format": "bos + tokens(prompt + completion) + eos, right-padded",
            "prompt_template": "Question: {question}\nAnswer:",
        },
    )
    # Reference pairs for the parity test: right and wrong samples of held-out problems, of varied lengths.
    picks = [r for r in heldout_rows if r["label"]][:3] + [r for r in heldout_rows if not r["label"]][:3]
    write_json(
        os.path.join(out, "reference.json"),
        {
            "pairs": [
                {"prompt": r["prompt"], "completion": r["completion"], "label": r["label"], "ids": e["ids"], "score": s}
                for r, e, s in zip(picks, [encode_row(tokenizer, token_text, r) for r in picks],
                                   scores_of(model, [encode_row(tokenizer, token_text, r) for r in picks], tokenizer.pad_id))
            ]
        },
    )
    card = {
        "id": f"zoo:{MODEL_ID}",
        "kind": "reward-model",
        "description": "Process reward model for zoo:mini-lm's arithmetic solutions: a learned step verifier "
        + ("(a per-position MLP over a fixed number reader's features -- the last four numbers' values and logs, the "
           "last operator -- and a learned causal 24-token convolution of token embeddings) "
           if args.arch == "reader" else
           "(token embeddings, a causal 24-token convolution, per-position 'this step is right' logits) ")
        + "whose score is the minimum over the solution, trained on exact step checks of the LM's own samples and "
        "of synthetic slips.",
        "training_data": {
            "problems": f"{args.train_problems} generated problems (seed {lm_seed + 4}), disjoint from the LM's "
            "training and held-out problems (so from the QAlign benchmark's 200)",
            "samples": f"{args.samples} temperature-1 samples of zoo:mini-lm per problem, the reference solutions, and "
            f"{args.corruptions} synthetic slips of each reference plus one of half the LM's right-step samples",
            "labels": "per step, exact: 1 when c = a op b and a is the previous result; the answer sentence: 1 when "
            "it repeats the last result. Pair loss: final answer right above wrong, within a problem",
            "heldout": f"{args.heldout_problems} further problems of seed {lm_seed + 4}, {args.heldout_samples} "
            "samples each, labelled by the final answer",
        },
        "recipe": "recipes/mini-rm-c.py",
        "retrain": "pnpm zoo:train mini-rm-c",
        "seed": args.seed,
        "base_model": "zoo:mini-lm",
        "hyperparameters": {
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "optimizer": "AdamW wd 0.01, 100-step warmup + cosine, grad clip 1.0; loss = per-position BCE "
            "(checked '.' weight 1, others 0.05) + BCE(min score, all steps right) + 0.5 Bradley-Terry",
            "threads": args.threads,
        },
        "architecture": {
            "context_length": arch["context_length"],
            "vocab_size": len(tokenizer),
            "embed": args.embed,
            "window": args.window,
            "channels": args.channels,
            "arch": args.arch,
            **({"context": args.context, "number_reader": "fixed: values and 20*log of the last 4 numbers, one-hot "
                "of the last operator (attune_recipes/number_reader.py)"} if args.arch == "reader" else {}),
            "parameters": params,
            "head": "per-position logit, min over attended positions",
        },
        "metrics": metrics,
        "date": today(),
        "smoke": bool(args.smoke),
    }
    card["files"] = file_entries(out)
    write_json(os.path.join(out, "card.json"), card)
    print_comparison(metrics, reference, HEADLINE_KEYS)


if __name__ == "__main__":
    main()
