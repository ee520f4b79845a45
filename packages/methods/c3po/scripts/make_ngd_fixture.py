"""Torch reference for C3PO's NGD and oracle steps on zoo:mini-moe, for the TypeScript parity test.

  /usr/bin/python3 packages/methods/c3po/scripts/make_ngd_fixture.py

Loads the weights of the zoo's onnx/model.onnx into the recipe's MoeGPT (the torch model it was exported
from; MatMul weights are stored transposed under the node's module path), checks the torch forward, and for
a pinned sentiment question writes test/fixtures/ngd-torch.json:
- the neighbours (cosine kNN over the reference embeddings, leakage guard 0.95, k = 3) and their Gaussian
  kernel weights (sigma = the median neighbour distance), as the TS code chooses them;
- NGD: omega after each of 10 steps on sum_i K_i CE(f(x_i, omega), y_i) / sum K, omega shared by the
  neighbours (the step is routing_oracle.optimise_routing's: Adam's normalised step, cosine lr 1e-2 -> 1e-5,
  clamp >= 0 + renormalise);
- oracle: routing_oracle.optimise_routing itself (the zoo card's oracle) on the test label's own CE.
"""

import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ZOO = os.path.join(HERE, "..", "..", "..", "zoo")
sys.path.insert(0, os.path.join(ZOO, "recipes"))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from onnx import numpy_helper  # noqa: E402

from attune_recipes import families  # noqa: E402
from attune_recipes.bpe import ByteBpeTokenizer  # noqa: E402
from attune_recipes.moe import MoeGPT  # noqa: E402
from attune_recipes.routing_oracle import cosine_lr, forward_last, left_pad, option_token_ids, optimise_routing  # noqa: E402

MODEL_DIR = os.path.join(ZOO, "models", "mini-moe")
OUT = os.path.join(HERE, "..", "test", "fixtures", "ngd-torch.json")
QUESTION_ID = "sentiment-eval-000"
K = 3
LEAKAGE = 0.95
STEPS = 10


ORACLE_LR_MAX = 1e-1


def load_model():
    with open(os.path.join(MODEL_DIR, "config.json")) as f:
        c = json.load(f)
    model = MoeGPT(
        vocab_size=c["vocab_size"],
        context_length=c["max_position_embeddings"],
        width=c["hidden_size"],
        layers=c["num_hidden_layers"],
        heads=c["num_attention_heads"],
        expert_hidden=c["intermediate_size"],
        experts=c["num_experts"],
        top_k=c["num_experts_per_tok"],
    )
    graph = onnx.load(os.path.join(MODEL_DIR, "onnx", "model.onnx")).graph
    inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    state = {name[len("model.") :]: t for name, t in inits.items() if name.startswith("model.")}
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in inits and node.name.startswith("/model/"):
            if node.name == "/model/MatMul":  # the tied LM head, h @ wte^T
                assert torch.equal(inits[node.input[1]].t(), inits["model.wte.weight"])
                continue
            module = node.name[len("/model/") : -len("/MatMul")].replace("/", ".")
            state[f"{module}.weight"] = inits[node.input[1]].t().contiguous()
    model.load_state_dict(state, strict=True)
    model.eval()
    return model, c


def optimise_shared(model, batch, start, layers, n_layers, weights, targets, steps=STEPS):
    """optimise_routing's step on one omega shared by every row of the batch (NGD's surrogate)."""
    flags = torch.zeros(n_layers)
    flags[layers] = 1.0
    b = batch[0].shape[0]
    w = start.clone().detach()  # [|layers|, E]
    m = torch.zeros_like(w)
    v = torch.zeros_like(w)
    trajectory, losses = [], []
    for step in range(steps):
        w.requires_grad_(True)
        override = torch.full((b, n_layers, w.shape[-1]), 1.0 / w.shape[-1])
        override = override.index_put((torch.arange(b)[:, None], torch.tensor(layers)[None, :]), w.unsqueeze(0).expand(b, -1, -1))
        last_logits, _, _, _ = forward_last(model, batch, override, flags)
        loss = (weights * F.cross_entropy(last_logits, targets, reduction="none")).sum() / weights.sum()
        (grad,) = torch.autograd.grad(loss, w)
        losses.append(float(loss))
        with torch.no_grad():
            lr = cosine_lr(step, steps)
            m = 0.9 * m + 0.1 * grad
            v = 0.999 * v + 0.001 * grad * grad
            update = (m / (1 - 0.9 ** (step + 1))) / ((v / (1 - 0.999 ** (step + 1))).sqrt() + 1e-8)
            w = w - lr * update
            w = w.clamp(min=0)
            w = w / w.sum(-1, keepdim=True).clamp(min=1e-12)
        trajectory.append(w.detach().clone())
    return trajectory, losses


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    torch.set_num_threads(1)
    model, c = load_model()
    tokenizer = ByteBpeTokenizer.load(os.path.join(MODEL_DIR, "tokenizer.json"))
    L, E = c["num_hidden_layers"], c["num_experts"]
    layers = list(range(L - 5, L))
    item = next(r for r in read_jsonl(os.path.join(MODEL_DIR, "tasks", "sentiment.eval.jsonl")) if r["id"] == QUESTION_ID)
    refs = [r for r in read_jsonl(os.path.join(MODEL_DIR, "tasks", "sentiment.reference.jsonl")) if r["correct"]]
    options = item["options"]
    opt_ids = option_token_ids(tokenizer, options)

    batch = left_pad([tokenizer.encode(families.prompt_of(item["question"]))], tokenizer.pad_id)
    with torch.no_grad():
        last_logits, last_probs, h, mask = forward_last(model, batch)
    embedding = ((h * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True))[0]

    # Neighbours as remix.ts picks them.
    emb = torch.tensor([r["embedding"] for r in refs], dtype=torch.float64)
    q = embedding.double()
    sims = (emb @ q) / (emb.norm(dim=1) * q.norm())
    dists = (emb - q).norm(dim=1)
    order = [i for i in torch.argsort(sims, descending=True).tolist() if sims[i] <= LEAKAGE][:K]
    d = dists[order]
    sigma = float(d.median()) if K % 2 else float(d.sort().values[K // 2 - 1 : K // 2 + 1].mean())
    kernel = torch.exp(-(d**2) / (2 * sigma * sigma))
    neighbours = [refs[i] for i in order]

    nb_batch = left_pad([tokenizer.encode(families.prompt_of(r["question"])) for r in neighbours], tokenizer.pad_id)
    targets = torch.tensor([opt_ids[options.index(r["answer"])] for r in neighbours])
    start = last_probs[0, layers, :].detach()
    ngd, ngd_losses = optimise_shared(model, nb_batch, start, layers, L, kernel.float(), targets)

    label = torch.tensor([opt_ids[options.index(item["answer"])]])
    oracle = []
    for steps in (1, STEPS):
        w, _ = optimise_routing(
            model, batch, last_probs.detach(), layers,
            lambda lg: F.cross_entropy(lg, label, reduction="none"), steps, optimizer="adam",
        )
        oracle.append(w[0])
    # The plugin's default oracle: the same optimiser at peak lr 1e-1 (ORACLE_LR_MAX in src/c3po.ts).
    oracle_strong, _ = optimise_routing(
        model, batch, last_probs.detach(), layers,
        lambda lg: F.cross_entropy(lg, label, reduction="none"), STEPS, lr_max=ORACLE_LR_MAX, optimizer="adam",
    )
    # The oracle after 1 step of a 10-step run equals a 1-step run: cosine_lr(0, n) = lr_max for any n.
    assert abs(cosine_lr(0, 1) - cosine_lr(0, STEPS)) < 1e-15

    flat = lambda t: [float(x) for x in t.flatten().tolist()]  # noqa: E731
    fixture = {
        "about": "torch reference for C3PO NGD / oracle parity; made by scripts/make_ngd_fixture.py",
        "question": item,
        "layers": layers,
        "base_option_logits": [float(last_logits[0, i]) for i in opt_ids],
        "base_pathway": flat(start),
        "neighbours": [r["id"] for r in neighbours],
        "kernel": flat(kernel),
        "sigma": sigma,
        "steps": STEPS,
        "ngd": {"after_1": flat(ngd[0]), "after_10": flat(ngd[-1]), "losses": ngd_losses},
        "oracle": {"after_1": flat(oracle[0]), "after_10": flat(oracle[1])},
        "oracle_lr_1e-1": {"lr_max": ORACLE_LR_MAX, "after_10": flat(oracle_strong[0])},
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print("wrote", OUT, "neighbours", fixture["neighbours"], "ngd losses", [round(x, 5) for x in ngd_losses])


if __name__ == "__main__":
    main()
