"""Probe a mini-moe checkpoint: base and oracle accuracy (the card's oracle) on a few items per family.

  /usr/bin/python3 recipes/mini-moe-probe.py --checkpoint .retrain/checkpoints/<run>/step-02000.pt \
      [--split validation|eval] [--n 60] [--json out.json]

For choosing a checkpoint during a run (the recipe saves step-NNNNN.pt, and the run's arch.json beside them):
--split validation uses the items the recipe held out of training (validation.json, written when the run had
--validation-size N), never the card's eval items.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

from attune_recipes import families  # noqa: E402
from attune_recipes.bpe import ByteBpeTokenizer  # noqa: E402
from attune_recipes.common import MODELS_DIR  # noqa: E402
from attune_recipes.moe import MoeGPT  # noqa: E402
from attune_recipes.routing_oracle import evaluate_family  # noqa: E402

CRITICAL_LAYERS = 5


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--split", default="validation", choices=["validation", "eval"])
    p.add_argument("--n", type=int, default=60)
    p.add_argument("--json", default=None)
    args = p.parse_args()
    torch.set_num_threads(1)
    folder = os.path.dirname(args.checkpoint)
    if args.split == "validation":
        with open(os.path.join(folder, "validation.json")) as f:
            items = json.load(f)
        if not items:
            sys.exit(f"{folder}: this run held out no validation items; train with --validation-size N, or probe --split eval")
    else:
        with open(os.path.join(folder, "splits.json")) as f:
            items = {k: v[1] for k, v in json.load(f).items()}
    with open(os.path.join(folder, "arch.json")) as f:
        arch = json.load(f)
    model = MoeGPT(**arch)
    model.load_state_dict(torch.load(args.checkpoint))
    model.eval()
    tokenizer = ByteBpeTokenizer.load(os.path.join(MODELS_DIR, "mini-lm", "tokenizer.json"))
    layers = list(range(arch["layers"] - CRITICAL_LAYERS, arch["layers"]))
    out, t0 = {}, time.time()
    for family in families.FAMILIES:
        its = items[family][: args.n]
        # validation items mix option sets only within a family; options come from the family
        rows = evaluate_family(model, tokenizer, its, oracle_layers=layers, optimizer="adam")
        base = sum(r["correct"] for r in rows) / len(rows)
        oracle = sum(r["oracle_correct"] for r in rows) / len(rows)
        # the held-out training items are not label-balanced (topic is ~90 % "no"): also the mean per-label recall
        labels = sorted({r["item"]["answer"] for r in rows})
        recall = lambda key: sum(  # noqa: E731
            sum(r[key] for r in rows if r["item"]["answer"] == a) / sum(1 for r in rows if r["item"]["answer"] == a) for a in labels
        ) / len(labels)
        bbase, boracle = recall("correct"), recall("oracle_correct")
        top = torch.stack([r["pathway"] for r in rows])  # [n, L, E]
        top1 = top.max(-1).values.mean().item()
        preds = {}
        for r in rows:
            preds[r["pred"]] = preds.get(r["pred"], 0) + 1
        out[family] = {"base": round(base, 4), "oracle": round(oracle, 4), "balanced_base": round(bbase, 4), "balanced_oracle": round(boracle, 4), "mean_top1_weight": round(top1, 3), "preds": preds}
        print(f"{family:10s} base {100 * base:5.1f} oracle {100 * oracle:5.1f} balanced {100 * bbase:5.1f} -> {100 * boracle:5.1f} top1 {top1:.2f} preds {preds}", flush=True)
    mb = sum(v["base"] for v in out.values()) / len(out)
    mo = sum(v["oracle"] for v in out.values()) / len(out)
    bb = sum(v["balanced_base"] for v in out.values()) / len(out)
    bo = sum(v["balanced_oracle"] for v in out.values()) / len(out)
    print(
        f"{os.path.basename(args.checkpoint)} {args.split} n{args.n}: mean base {100 * mb:.1f} oracle {100 * mo:.1f} gap {100 * (mo - mb):.1f}; "
        f"balanced {100 * bb:.1f} -> {100 * bo:.1f} gap {100 * (bo - bb):.1f} ({time.time() - t0:.0f}s)"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"checkpoint": args.checkpoint, "split": args.split, "n": args.n, "mean_base": mb, "mean_oracle": mo, "mean_balanced_base": bb, "mean_balanced_oracle": bo, "families": out}, f, indent=1)


if __name__ == "__main__":
    main()
