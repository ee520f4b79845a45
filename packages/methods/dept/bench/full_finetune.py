"""Upper reference: full fine-tuning of zoo:mini-lm (every weight) on each task, torch, same layout as prompt
tuning without the soft prompt: [BOS + input ; " label" + EOS], loss on the label tokens only. Prediction by
greedy decoding of up to 5 tokens, compared with the label words as the TS package does.

Run: nice /usr/bin/python3 bench/full_finetune.py [--steps 150] [--batch 32] [--model mini-lm] [--weights state_dict.pt] [tasks...]
  -> results/full-finetune.json (mini-lm) or results/full-finetune.<model>.json
zoo:mini-lm ships its torch weights (pytorch_model.bin); zoo:mini-lm-t does not (zoo size budget): pass the
recipe's final checkpoint (packages/zoo/.retrain/checkpoints/mini-lm-t/step-N.pt, what `pnpm zoo:train mini-lm-t`
writes); it is checked against the folder's reference.json (torch logits of the exported model, 1e-4), so the
weights are those of the committed ONNX files.
Uses the tokenizer's ids from results/token-ids.json (written by bench/export-token-ids.ts)."""

import argparse
import hashlib
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from dept_reference import load_lm  # noqa: E402

torch.set_num_threads(1)


def batch_of(rows, s, pad):
    label_rows = max(len(r["label"]) for r in rows) - 1
    T = s + label_rows
    ids = torch.full((len(rows), T), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), T), dtype=torch.long)
    pos = torch.zeros((len(rows), T), dtype=torch.long)
    tgt = torch.full((len(rows), T), -100, dtype=torch.long)
    for b, r in enumerate(rows):
        x, y = r["input"], r["label"]
        n = len(x)
        ids[b, :n] = torch.tensor(x)
        mask[b, :n] = 1
        pos[b, :n] = torch.arange(n)
        tgt[b, n - 1] = y[0]
        k = len(y) - 1
        ids[b, s : s + k] = torch.tensor(y[:-1])
        mask[b, s : s + k] = 1
        pos[b, s : s + k] = torch.arange(n, n + k)
        tgt[b, s : s + k] = torch.tensor(y[1:])
    return ids, mask, pos, tgt


@torch.no_grad()
def greedy(lm, rows, s, pad, eos, vocab_decode):
    out = []
    for i in range(0, len(rows), 64):
        chunk = rows[i : i + 64]
        gen = [[] for _ in chunk]
        done = [False] * len(chunk)
        for g in range(5):
            fake = [{"input": r["input"], "label": gen[b] + [eos]} for b, r in enumerate(chunk)]
            ids, mask, pos, _ = batch_of(fake, s, pad)
            if g == 0:
                ids, mask, pos = ids[:, :s], mask[:, :s], pos[:, :s]
            else:
                ids, mask, pos = ids[:, : s + g], mask[:, : s + g], pos[:, : s + g]
                for b in range(len(chunk)):
                    if len(gen[b]) < g:
                        mask[b, s + len(gen[b]) : s + g] = 0
            logits, _ = lm(ids, mask, pos)
            for b, r in enumerate(chunk):
                if done[b]:
                    continue
                t = len(r["input"]) - 1 if g == 0 else s + g - 1
                tok = int(logits[b, t].argmax())
                if tok == eos:
                    done[b] = True
                else:
                    gen[b].append(tok)
        out += [vocab_decode(x) for x in gen]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--model", default="mini-lm")
    parser.add_argument("--weights", default=None, help="a torch state dict of the model (default: its pytorch_model.bin)")
    parser.add_argument("tasks", nargs="*")
    args = parser.parse_args()
    steps = args.steps
    if args.weights:
        # The weights must be the committed model's: its reference logits, which the recipe wrote from them.
        with open(os.path.join(HERE, "..", "..", "..", "zoo", "models", args.model, "reference.json")) as f:
            ref = json.load(f)
        with torch.no_grad():
            logits, _ = load_lm(args.model, args.weights)(torch.tensor([ref["prompt_ids"]]))
        gap = (logits[0, -1, : len(ref["last_logits_head"])] - torch.tensor(ref["last_logits_head"])).abs().max().item()
        if gap > 1e-4:
            raise SystemExit(f"{args.weights}: not the weights of zoo:{args.model} (reference logits differ by {gap:.2e} > 1e-4)")
    with open(os.path.join(HERE, "..", "results", "token-ids.json")) as f:
        data = json.load(f)
    tasks = args.tasks or list(data["tasks"])
    results = {}
    name = "full-finetune.json" if args.model == "mini-lm" else f"full-finetune.{args.model}.json"
    path = os.path.join(HERE, "..", "results", name)
    if os.path.exists(path):
        results = json.load(open(path))
    decode_table = {int(k): v for k, v in data["decode"].items()}
    decode = lambda ids: "".join(decode_table.get(i, "?") for i in ids).strip()  # noqa: E731
    for name in tasks:
        t = data["tasks"][name]
        s, pad, eos = t["maxLength"], data["padTokenId"], data["eosTokenId"]
        for seed in (0,):
            torch.manual_seed(seed)
            lm = load_lm(args.model, args.weights)
            for p in lm.parameters():
                p.requires_grad_(True)
            lm.train()
            warm = max(1, steps // 10)
            opt = torch.optim.AdamW(lm.parameters(), lr=3e-4, eps=1e-6, weight_decay=0.0)
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: k / warm if k < warm else max(0.0, (steps - k) / (steps - warm)))
            g = torch.Generator().manual_seed(seed)
            train = t["train"]
            t0 = time.time()
            for k in range(steps):
                idx = torch.randint(len(train), (args.batch,), generator=g).tolist()
                ids, mask, pos, tgt = batch_of([train[i] for i in idx], s, pad)
                logits, _ = lm(ids, mask, pos)
                loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                if k % 25 == 0:
                    print(name, k, round(loss.item(), 4), flush=True)
            lm.eval()
            acc = {}
            for split in ("validation", "test"):
                preds = greedy(lm, t[split], s, pad, eos, decode)
                acc[split] = sum(p == r["labelText"] for p, r in zip(preds, t[split])) / len(preds)
            results[name] = {"steps": steps, "batch": args.batch, "lr": 3e-4, "seed": seed, "accuracy": acc, "seconds": round(time.time() - t0, 1)}
            print(name, results[name], flush=True)
            with open(path, "w") as f:
                json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
