"""Recipe for zoo:mini-moe — a small mixture-of-experts decoder LM for C3PO (test-time expert re-mixing).

  /usr/bin/python3 recipes/mini-moe.py --brown-dir D --moby-dir D --sotu-dir D --spam-dir D --weka-dir D \
      --afinn PATH --vader PATH --cmudict PATH --female-names PATH --male-names PATH [--out models/mini-moe]

1. Builds seven short-answer task families (attune_recipes/families.py) with train / eval / reference splits.
2. Trains a 6-layer, 8-expert, top-2 MoE decoder (attune_recipes/moe.py) on English windows (Brown, Moby
   Dick, State of the Union) mixed with packed family examples, with mini-lm's byte-level BPE tokenizer.
   The run is budgeted in wall time (--minutes); the step count it settles on is recorded in the card.
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
from attune_recipes.common import MODELS_DIR, PACKAGE_DIR, log  # noqa: E402
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
    p.add_argument("--minutes", type=float, default=27.0, help="training wall-time budget")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seq-len", type=int, default=96)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--english-fraction", type=float, default=0.15)
    p.add_argument("--aux-weight", type=float, default=0.01)
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
    return tokenizer.encode(families.prompt_of(item["question"]) + " " + item["answer"])


class Batches:
    def __init__(self, english_stream, examples, seq_len, english_fraction, rng):
        self.english, self.examples = english_stream, examples
        self.seq_len, self.fraction, self.rng = seq_len, english_fraction, rng

    def row(self):
        need = self.seq_len + 1
        if self.rng.random() < self.fraction:
            start = self.rng.randrange(0, len(self.english) - need)
            return self.english[start : start + need]
        row = []
        while len(row) < need:
            row.extend(self.examples[self.rng.randrange(len(self.examples))])
        return row[:need]

    def next(self, batch_size):
        return torch.tensor([self.row() for _ in range(batch_size)], dtype=torch.long)


def lr_at(progress, peak):
    """Warmup over the first 3 % of the wall-time budget, then cosine to 5 % of peak."""
    if progress < 0.03:
        return peak * max(progress, 1e-3) / 0.03
    progress = min(1.0, (progress - 0.03) / 0.97)
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def train(args, model, batches):
    """Runs until the wall-time budget is spent; the schedule follows elapsed time, since the shared
    machine's speed varies several-fold with load. The step count reached is recorded."""
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.05)
    budget = args.minutes * 60
    start = time.time()
    step = 0
    history = []
    while time.time() - start < budget:
        lr = lr_at((time.time() - start) / budget, args.lr)
        for g in opt.param_groups:
            g["lr"] = lr
        rows = batches.next(args.batch_size)
        logits, _, probs, _, _ = model(rows[:, :-1])
        lm = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1))
        aux = load_balance_loss(probs, model.blocks[0].moe.top_k)
        loss = lm + args.aux_weight * aux
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0:
            log(f"step {step} lm {lm.item():.3f} aux {aux.item():.3f} lr {lr:.2e} {time.time() - start:.0f}s")
            history.append({"step": step, "lm_loss": round(lm.item(), 4), "aux": round(aux.item(), 4)})
        if step % 250 == 0 and step:
            torch.save(model.state_dict(), os.path.join(args.checkpoints, "last.pt"))
        step += 1
    return {"steps": step, "seconds": round(time.time() - start, 1), "history": history}


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
    with open(os.path.join(args.checkpoints, "splits.json"), "w") as f:
        json.dump(splits, f)
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

    model = MoeGPT(**ARCH)
    log(f"{sum(p.numel() for p in model.parameters())} parameters")
    result = train(args, model, Batches(stream, examples, args.seq_len, args.english_fraction, rng))
    torch.save(model.state_dict(), os.path.join(args.checkpoints, "final.pt"))
    with open(os.path.join(args.checkpoints, "training.json"), "w") as f:
        json.dump({"arch": ARCH, "args": vars(args), **result}, f, indent=2)
    log("done: evaluate and export with recipes/mini-moe-card.py")


if __name__ == "__main__":
    main()
