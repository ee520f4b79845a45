"""PyTorch reference for STS's test-time step, written from the paper and docs methods.md independently of
the TypeScript code, for the parity test in test/sts-parity.test.ts.

Inputs (fixtures/sts-inputs.json, exported from mini-CLIP by scripts/export-sts-inputs.ts): the raw image
features [64,D] of one real MNIST test image's 64 views (view 0 + 63 RandomResizedCrop + flip), the
normalised class prototypes Z0 [C,D] for the single template and for the template ensemble, and exp(logit
scale). Output (fixtures/sts-step.json): per case, the singular values, k, the kept views, γ and Bγ after
the steps, the losses, the entropies and the final logits.

Sign convention: singular vectors are defined up to sign, which flips the matching component of γ. Both
implementations make the largest-magnitude entry of each right singular vector positive (the first such
entry on ties), so γ itself is compared; Bγ is compared as well (it does not depend on the convention).

Run from packages/methods/sts with Debian's Python (the one that sees python3-torch):
    /usr/bin/python3 scripts/sts_reference.py
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)  # the machine is shared

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")

# The cases the TypeScript test replays. "default" is the paper's setting.
CASES = [
    {"name": "sts-default", "prototypes": "single", "rank": "gavish-donoho", "selection": 0.1, "steps": 1,
     "lr": 5e-3, "weight_decay": 0.01, "eps": 1e-8, "lambda": 0.0, "predict": "view0"},
    {"name": "sts-ensemble-default", "prototypes": "ensemble", "rank": "gavish-donoho", "selection": 0.1,
     "steps": 1, "lr": 5e-3, "weight_decay": 0.01, "eps": 1e-8, "lambda": 0.0, "predict": "view0"},
    # More steps make λ‖Bγ‖², weight decay and the second moment matter; a fixed rank and a larger lr make
    # the shift big enough that a wrong gradient would show in the logits.
    {"name": "fixed-rank-3-steps-lambda-kept-average", "prototypes": "single", "rank": 6, "selection": 0.2,
     "steps": 3, "lr": 5e-2, "weight_decay": 0.01, "eps": 1e-8, "lambda": 0.5, "predict": "kept-average"},
]


def f32_list(t):
    """float32 values as JSON numbers (a double prints a float32 exactly)."""
    return [float(x) for x in np.asarray(t.detach().cpu(), dtype=np.float32).reshape(-1)]


def gavish_donoho_rank(s, rows, cols):
    """#{s_i > ω(β)·median(s)}, at least 1; ω(β) ≈ 0.56β³ − 0.95β² + 1.82β + 1.43 (Gavish & Donoho 2014)."""
    beta = min(rows, cols) / max(rows, cols)
    omega = 0.56 * beta**3 - 0.95 * beta**2 + 1.82 * beta + 1.43
    return max(1, int((s > omega * np.median(s)).sum()))


def right_singular_vectors(z0):
    """Thin SVD in float64 (no mean-centring); V [D, min(C,D)] with each column's largest |entry| positive."""
    _, s, vh = np.linalg.svd(z0.double().numpy(), full_matrices=False)
    v = vh.T.copy()
    for j in range(v.shape[1]):
        if v[np.argmax(np.abs(v[:, j])), j] < 0:
            v[:, j] = -v[:, j]
    return s, v


def avg_entropy(logits):
    """TPT's avg_entropy: marginal entropy of the mean softmax over rows, in log space."""
    logits = logits - logits.logsumexp(dim=-1, keepdim=True)
    avg_logits = logits.logsumexp(dim=0) - math.log(logits.shape[0])
    avg_logits = torch.clamp(avg_logits, min=torch.finfo(avg_logits.dtype).min)
    return -(avg_logits * torch.exp(avg_logits)).sum(dim=-1)


def run_case(case, features, prototypes, scale):
    img = F.normalize(features, dim=-1)
    z0 = prototypes[case["prototypes"]]
    classes, dim = z0.shape
    s, v = right_singular_vectors(z0)
    k = gavish_donoho_rank(s, classes, dim) if case["rank"] == "gavish-donoho" else case["rank"]
    basis = torch.tensor(v[:, :k], dtype=torch.float32)  # B [D,k], orthonormal, not scaled

    with torch.no_grad():
        logits0 = scale * img @ z0.t()
        entropies = -(logits0.softmax(1) * logits0.log_softmax(1)).sum(1)
        count = max(1, int(img.shape[0] * case["selection"]))
        order = torch.sort(entropies, stable=True).indices
        kept = order[:count]
        # The kept set is only well defined when the last kept and first dropped views are not tied in float32.
        margin = float(entropies[order[count]] - entropies[order[count - 1]]) if count < len(order) else math.inf
        if margin < 1e-5:
            raise SystemExit(f"{case['name']}: views {int(order[count - 1])} and {int(order[count])} tie at the "
                             f"selection boundary (entropy gap {margin:.2e}); export another image")

    def prototypes_at(gamma):
        return F.normalize(z0 + (basis @ gamma)[None, :], dim=-1)

    gamma = torch.zeros(k, requires_grad=True)
    optimizer = torch.optim.AdamW([gamma], lr=case["lr"], weight_decay=case["weight_decay"], eps=case["eps"])
    losses = []
    for _ in range(case["steps"]):
        logits = scale * img[kept] @ prototypes_at(gamma).t()
        loss = avg_entropy(logits) + case["lambda"] * (basis @ gamma).pow(2).sum()
        losses.append(float(loss))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    with torch.no_grad():
        logits = scale * img @ prototypes_at(gamma).t()
        entropy_after = float(avg_entropy(logits[kept]))
        predicted = logits[0] if case["predict"] == "view0" else logits[kept].mean(0)
        before = logits0[0] if case["predict"] == "view0" else logits0[kept].mean(0)
        return {
            **case,
            "singular_values": [float(x) for x in s],
            "k": k,
            "kept": [int(i) for i in kept],
            "view_entropies": f32_list(entropies),
            "selection_margin": margin,
            "gamma": f32_list(gamma),
            "shift": f32_list(basis @ gamma),
            "losses": losses,
            "entropy_before": losses[0],
            "entropy_after": entropy_after,
            "logits_before": f32_list(before),
            "logits": f32_list(predicted),
        }


def main():
    with open(os.path.join(FIXTURES, "sts-inputs.json")) as f:
        inputs = json.load(f)
    features = torch.tensor(inputs["features"], dtype=torch.float32)
    prototypes = {name: torch.tensor(z, dtype=torch.float32) for name, z in inputs["prototypes"].items()}
    scale = inputs["logitScale"]
    cases = [run_case(case, features, prototypes, scale) for case in CASES]
    out = {
        "meta": {"torch": torch.__version__, "numpy": np.__version__, "script": "scripts/sts_reference.py",
                 "inputs": "fixtures/sts-inputs.json"},
        "cases": cases,
    }
    path = os.path.join(FIXTURES, "sts-step.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    for c in cases:
        print(f"{c['name']}: k={c['k']} kept={c['kept']} H {c['entropy_before']:.4f} -> {c['entropy_after']:.4f}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
