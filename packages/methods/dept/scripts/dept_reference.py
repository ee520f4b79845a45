"""Torch reference of one DePT / prompt-tuning training step on zoo:mini-lm, written from the paper and
DePT's code (peft/tuners/prompt_tuning_lora.py, train.py) independently of the TypeScript package.

Reads fixtures/dept-inputs.json (token ids, shapes, initial parameters, optimizer settings; written by
scripts/export-parity-inputs.ts), writes fixtures/dept-step.json: the loss, the gradients of P, A, B and the
parameters after one torch.optim.AdamW step with two parameter groups and the linear warm-up/decay schedule.

Layout (decoder-only DePT): [P ; E(input right-padded to s) + (alpha/sqrt(r)) A B ; label tokens], pad rows
masked, position ids skipping the pads, cross-entropy (mean) on the label tokens only.
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ZOO = os.path.join(HERE, "..", "..", "..", "zoo")
sys.path.insert(0, os.path.join(ZOO, "recipes"))
from attune_recipes.gpt import GPT  # noqa: E402

torch.set_num_threads(1)


def load_lm(model_id="mini-lm", weights=None):
    """A zoo LM in torch: its config.json and a state dict (default: the folder's pytorch_model.bin)."""
    folder = os.path.join(ZOO, "models", model_id)
    with open(os.path.join(folder, "config.json")) as f:
        c = json.load(f)
    lm = GPT(c["vocab_size"], c["max_position_embeddings"], c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"])
    lm.load_state_dict(torch.load(weights or os.path.join(folder, "pytorch_model.bin"), map_location="cpu"))
    lm.eval()
    for p in lm.parameters():
        p.requires_grad_(False)
    return lm


def step(lm, rows, pad_id, case, opt):
    sh = case["shape"]
    m, r, s, d, alpha = sh["promptTokens"], sh["rank"], sh["maxLength"], sh["dim"], sh["alpha"]
    P = torch.tensor(case["params"]["prompt"], dtype=torch.float32).view(m, d).requires_grad_(True)
    params = [P]
    groups = [{"params": [P], "lr": opt["lrPrompt"]}]
    if r > 0:
        A = torch.tensor(case["params"]["loraA"], dtype=torch.float32).view(s, r).requires_grad_(True)
        B = torch.tensor(case["params"]["loraB"], dtype=torch.float32).view(r, d).requires_grad_(True)
        groups.append({"params": [A, B], "lr": opt["lrLora"]})
        params += [A, B]
    scaling = alpha / math.sqrt(r) if r > 0 else 0.0
    label_rows = max(len(row["label"]) for row in rows) - 1
    T = m + s + label_rows
    embeds, masks, positions, targets = [], [], [], []
    for row in rows:
        ids, label = row["input"], row["label"]
        n = len(ids)
        padded = torch.tensor(ids + [pad_id] * (s - n))
        x = lm.wte(padded)
        if r > 0:
            x = x + scaling * (A @ B)
        lab_in = lm.wte(torch.tensor(label[:-1], dtype=torch.long)) if len(label) > 1 else torch.zeros(0, d)
        fill = torch.zeros(label_rows - lab_in.shape[0], d)
        embeds.append(torch.cat([P, x, lab_in, fill], 0))
        mask = torch.zeros(T, dtype=torch.long)
        mask[: m + n] = 1
        mask[m + s : m + s + len(label) - 1] = 1
        pos = torch.zeros(T, dtype=torch.long)
        pos[: m + n] = torch.arange(m + n)
        pos[m + s : m + s + len(label) - 1] = torch.arange(m + n, m + n + len(label) - 1)
        tgt = torch.full((T,), -100, dtype=torch.long)
        tgt[m + n - 1] = label[0]
        tgt[m + s : m + s + len(label) - 1] = torch.tensor(label[1:])
        masks.append(mask)
        positions.append(pos)
        targets.append(tgt)
    inputs = torch.stack(embeds)
    h, _ = lm.hidden(inputs, torch.stack(masks), torch.stack(positions))
    logits = h @ lm.wte.weight.t()
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.stack(targets).reshape(-1), ignore_index=-100)
    optimizer = torch.optim.AdamW(groups, eps=opt["eps"], weight_decay=opt["weightDecay"], betas=tuple(opt["betas"]))
    warm, total = opt["warmupSteps"], opt["steps"]
    schedule = lambda k: k / max(1, warm) if k < warm else max(0.0, (total - k) / max(1, total - warm))  # noqa: E731
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    optimizer.zero_grad()
    loss.backward()
    grads = {"prompt": P.grad.flatten().tolist()}
    if r > 0:
        grads["loraA"] = A.grad.flatten().tolist()
        grads["loraB"] = B.grad.flatten().tolist()
    optimizer.step()
    scheduler.step()
    after = {"prompt": P.detach().flatten().tolist()}
    if r > 0:
        after["loraA"] = A.detach().flatten().tolist()
        after["loraB"] = B.detach().flatten().tolist()
    return {"name": case["name"], "loss": loss.item(), "grads": grads, "after": after, "lrsAfter": [g["lr"] for g in optimizer.param_groups]}


def main():
    with open(os.path.join(HERE, "..", "fixtures", "dept-inputs.json")) as f:
        fx = json.load(f)
    lm = load_lm()
    out = {"torch": torch.__version__, "cases": [step(lm, fx["rows"], fx["padTokenId"], c, fx["optimizer"]) for c in fx["cases"]]}
    with open(os.path.join(HERE, "..", "fixtures", "dept-step.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")
    for c in out["cases"]:
        print(c["name"], "loss", c["loss"])


if __name__ == "__main__":
    main()
