"""Scoring and routing optimisation for zoo:mini-moe (torch side; attune's @attune/method-c3po mirrors it).

- score: restricted argmax over a family's options (the first token of " <option>") at the last prompt token.
- pathways: router softmax per layer at the last prompt token ([L, E]) and the prompt's mean-pooled final
  hidden state (the LM's own embedding of the question, used for neighbour search).
- optimise_routing: gradient descent on the routing weights w ([b, |layers|, E], the override of the chosen
  layers at the last prompt token) for a per-row loss, cosine lr 1e-2 -> 1e-5 over the steps. After each
  step w is re-projected onto the simplex (clamp at 0, renormalise) — the graph's override renormalises
  anyway, this keeps the iterate itself a distribution. The oracle is this with the test label's own loss.
  optimizer "adam" (the card's choice) takes Adam's normalised step; "sgd" the plain gradient step.
"""

import math

import torch
import torch.nn.functional as F

from . import families


def option_token_ids(tokenizer, options):
    ids = [tokenizer.encode(" " + o, add_bos=False)[0] for o in options]
    if len(set(ids)) != len(ids):
        raise ValueError(f"options {options} share a first token")
    return ids


def left_pad(prompts, pad_id):
    width = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, width - len(p) :] = torch.tensor(p)
        mask[i, width - len(p) :] = 1
    positions = (mask.cumsum(1) - 1).clamp(min=0)
    return ids, mask, positions


def encode_prompts(tokenizer, items):
    return [tokenizer.encode(families.prompt_of(it["question"])) for it in items]


def forward_last(model, batch, override=None, layer_flags=None):
    ids, mask, positions = batch
    logits, _, probs, _, h = model(ids, mask, positions, None, override, layer_flags)
    return logits[:, -1, :], probs[:, :, -1, :], h, mask


def cosine_lr(step, steps, lr_max=1e-2, lr_min=1e-5):
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * step / max(1, steps - 1)))


def full_override(base_probs, layers, w):
    """[b, L, E] override tensor: w on the chosen layers, the base probabilities elsewhere (flags pick)."""
    override = base_probs.clone()
    override[:, layers, :] = w
    return override


def optimise_routing(model, batch, base_probs, layers, loss_fn, steps=10, lr_max=1e-2, lr_min=1e-5, optimizer="sgd"):
    """Gradient descent on the chosen layers' last-token routing weights; returns w [b, |layers|, E].

    optimizer "sgd": w -= lr * grad; "adam": Adam's normalised step (betas 0.9, 0.999), per row."""
    n_layers = base_probs.shape[1]
    flags = torch.zeros(n_layers)
    flags[layers] = 1.0
    w = base_probs[:, layers, :].clone().detach()
    m = torch.zeros_like(w)
    v = torch.zeros_like(w)
    for step in range(steps):
        w.requires_grad_(True)
        last_logits, _, _, _ = forward_last(model, batch, full_override(base_probs.detach(), layers, w), flags)
        loss = loss_fn(last_logits).sum()
        (grad,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            lr = cosine_lr(step, steps, lr_max, lr_min)
            if optimizer == "adam":
                m = 0.9 * m + 0.1 * grad
                v = 0.999 * v + 0.001 * grad * grad
                update = (m / (1 - 0.9 ** (step + 1))) / ((v / (1 - 0.999 ** (step + 1))).sqrt() + 1e-8)
            else:
                update = grad
            w = w - lr * update
            w = w.clamp(min=0)
            w = w / w.sum(-1, keepdim=True).clamp(min=1e-12)
    return w.detach(), flags


@torch.no_grad()
def evaluate_family(model, tokenizer, items, batch_size=50, oracle_layers=None, oracle_steps=10, optimizer="sgd"):
    """Per item: base prediction, base correctness, pathway, embedding; with oracle_layers also the oracle's."""
    options = items[0]["options"]
    opt_ids = torch.tensor(option_token_ids(tokenizer, options))
    rows = []
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        batch = left_pad(encode_prompts(tokenizer, chunk), tokenizer.pad_id)
        last_logits, last_probs, h, mask = forward_last(model, batch)
        pred = last_logits[:, opt_ids].argmax(-1)
        pooled = (h * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
        labels = torch.tensor([options.index(it["answer"]) for it in chunk])
        oracle_pred = None
        if oracle_layers is not None:
            targets = opt_ids[labels]
            with torch.enable_grad():
                w, flags = optimise_routing(
                    model, batch, last_probs, oracle_layers, lambda lg: F.cross_entropy(lg, targets, reduction="none"), oracle_steps, optimizer=optimizer
                )
            o_logits, _, _, _ = forward_last(model, batch, full_override(last_probs, oracle_layers, w), flags)
            oracle_pred = o_logits[:, opt_ids].argmax(-1)
        for i, it in enumerate(chunk):
            row = {
                "item": it,
                "pred": options[int(pred[i])],
                "correct": bool(pred[i] == labels[i]),
                "pathway": last_probs[i],
                "embedding": pooled[i],
            }
            if oracle_pred is not None:
                row["oracle_correct"] = bool(oracle_pred[i] == labels[i])
            rows.append(row)
    return rows
