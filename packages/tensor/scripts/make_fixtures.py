"""Reference values for @attune/tensor's parity tests, computed once with Debian's torch and committed.

Run from packages/tensor with Debian's Python (the one that sees python3-torch):
    /usr/bin/python3 scripts/make_fixtures.py
Writes fixtures/{adamw,schedules,entropy,svd}.json. The 1000x512 SVD matrix is not stored: it is rebuilt
from a hash formula that test/planted-matrix.ts implements identically (checked by a stored checksum).
"""

import base64
import json
import math
import os

import numpy as np
import torch

torch.set_num_threads(1)  # the machine is shared
torch.manual_seed(0)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")
META = {"torch": torch.__version__, "numpy": np.__version__, "script": "scripts/make_fixtures.py"}


def f32_b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def f32_list(t):
    """Exact float32 values as JSON numbers (a double prints the float32 value exactly)."""
    return [float(x) for x in np.asarray(t, dtype=np.float32).reshape(-1)]


def write(name, payload):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump({"meta": META, **payload}, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path) / 1024:.1f} KiB)")


# ---------------------------------------------------------------- AdamW (torch.optim.AdamW, 5 steps)
def adamw_case(name, groups, steps, missing=()):
    """groups: list of (param indices, options). missing: (step, param index) pairs with grad None."""
    g = torch.Generator().manual_seed(1234)
    shapes = [[4, 3], [5], [2, 2, 2]]
    grad_scales = [1.0, 1e-6, 3.0]  # a tiny-gradient parameter makes eps placement matter
    init = [torch.randn(s, generator=g) for s in shapes]
    grads = [[torch.randn(s, generator=g) * sc for s, sc in zip(shapes, grad_scales)] for _ in range(steps)]
    params = [torch.nn.Parameter(p.clone()) for p in init]
    opt = torch.optim.AdamW([{"params": [params[i] for i in idx], **o} for idx, o in groups])
    after = []
    for step in range(steps):
        for i, p in enumerate(params):
            p.grad = None if (step, i) in missing else grads[step][i].clone()
        opt.step()
        after.append([f32_list(p.detach()) for p in params])
    return {
        "name": name,
        "shapes": shapes,
        "groups": [{"params": idx, **o} for idx, o in groups],
        "missing": [list(m) for m in missing],
        "init": [f32_list(p) for p in init],
        "grads": [[f32_list(x) for x in step_grads] for step_grads in grads],
        "after": after,
    }


adamw = [
    # torch defaults, as TPT / DiffTPT / STS use them (lr 5e-3)
    adamw_case("wd0.01-eps1e-8", [([0, 1, 2], {"lr": 5e-3, "weight_decay": 0.01, "eps": 1e-8})], 5),
    # transformers.AdamW defaults as DePT uses them
    adamw_case("wd0-eps1e-6", [([0, 1, 2], {"lr": 0.3, "weight_decay": 0.0, "eps": 1e-6})], 5),
    # DePT-style two groups (prompt at lr 0.3; low-rank pair at 1e-3 with other betas), one missing grad
    adamw_case(
        "two-groups",
        [
            ([0], {"lr": 0.3, "weight_decay": 0.0, "eps": 1e-6}),
            ([1, 2], {"lr": 1e-3, "weight_decay": 0.05, "eps": 1e-6, "betas": (0.8, 0.99)}),
        ],
        5,
        missing=((2, 2),),
    ),
]
write("adamw.json", {"cases": adamw})


# ---------------------------------------------------------------- LR schedules
def lrs_over(opt, sched, steps):
    seq = [[g["lr"] for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        sched.step()
        seq.append([g["lr"] for g in opt.param_groups])
    return seq


def two_group_opt(lr_a, lr_b):
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    return torch.optim.AdamW([{"params": [a], "lr": lr_a}, {"params": [b], "lr": lr_b}])


opt = two_group_opt(1e-2, 3e-3)
cosine = lrs_over(opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=1e-5), 15)


def linear_with_warmup(warmup, total):
    # transformers.optimization.get_linear_schedule_with_warmup's lr_lambda, verbatim
    def lr_lambda(current_step):
        if current_step < warmup:
            return float(current_step) / float(max(1, warmup))
        return max(0.0, float(total - current_step) / float(max(1, total - warmup)))

    return lr_lambda


opt = two_group_opt(0.3, 1e-3)
linear = lrs_over(opt, torch.optim.lr_scheduler.LambdaLR(opt, linear_with_warmup(3, 10)), 12)
write(
    "schedules.json",
    {
        "cosine": {"baseLrs": [1e-2, 3e-3], "totalSteps": 10, "lrMin": 1e-5, "lrs": cosine},
        "linearWarmup": {"baseLrs": [0.3, 1e-3], "warmupSteps": 3, "totalSteps": 10, "lrs": linear},
    },
)


# ---------------------------------------------------------------- entropy, marginal entropy, selection
def tpt_avg_entropy(outputs):
    # TPT tpt_classification.py avg_entropy, verbatim
    logits = outputs - outputs.logsumexp(dim=-1, keepdim=True)
    avg_logits = logits.logsumexp(dim=0) - np.log(logits.shape[0])
    min_real = torch.finfo(avg_logits.dtype).min
    avg_logits = torch.clamp(avg_logits, min=min_real)
    return -(avg_logits * torch.exp(avg_logits)).sum(dim=-1), avg_logits


def row_entropy(logits):
    # TPT select_confidence's batch_entropy
    return -(logits.softmax(1) * logits.log_softmax(1)).sum(1)


def clip_like_logits(n, c, seed):
    """CLIP-scale logits (100 x cosine) whose rows range from confident to unsure; entropies well apart."""
    g = torch.Generator().manual_seed(seed)
    for _ in range(100):
        centre = torch.randn(c, generator=g) * 2.0
        sharp = torch.linspace(0.3, 4.0, n)[torch.randperm(n, generator=g)]
        x = (20.0 + centre + sharp[:, None] * torch.randn(n, c, generator=g)).float()
        ent = row_entropy(x.double())
        gaps = ent.sort().values.diff()
        if gaps.min() > 1e-4:  # float32 entropies must not reorder
            return x
    raise RuntimeError("no well-separated logits found")


def selection_case(n, c, fraction, seed):
    x = clip_like_logits(n, c, seed)
    ent64 = row_entropy(x.double())
    order = torch.sort(ent64, stable=True).indices
    keep = max(1, int(n * fraction))
    selected = order[:keep]
    x64 = x.double().requires_grad_(True)
    h64, logp64 = tpt_avg_entropy(x64)
    (grad64,) = torch.autograd.grad(h64, x64)
    h32, logp32 = tpt_avg_entropy(x)
    h_sel, _ = tpt_avg_entropy(x[selected].double())
    return {
        "shape": [n, c],
        "logits": f32_list(x),
        "fraction": fraction,
        "rowEntropy": ent64.tolist(),
        "selected": selected.tolist(),
        "marginalEntropy64": h64.item(),
        "marginalEntropy32": h32.item(),
        "logAverageProbs64": logp64.detach().tolist(),
        "gradMarginalEntropy64": grad64.reshape(-1).tolist(),
        "marginalEntropyOfSelected64": h_sel.item(),
        "logAverageProbs32": f32_list(logp32),
    }


def masked_case():
    """Class 2 is masked (-inf) in every row, class 4 in row 1: log p̄[2] must clamp, not become NaN."""
    g = torch.Generator().manual_seed(7)
    x = (torch.randn(8, 5, generator=g) * 3).float()
    x[:, 2] = -math.inf
    x[1, 4] = -math.inf
    h32, logp32 = tpt_avg_entropy(x)
    h64, _ = tpt_avg_entropy(x.double())
    return {
        "shape": [8, 5],
        "logits": [None if math.isinf(v) else v for v in f32_list(x)],  # null = -Infinity (JSON has no inf)
        "marginalEntropy32": h32.item(),
        "marginalEntropy64": h64.item(),
        "logAverageProbs32": f32_list(logp32),
    }


sizes = [[n, f, int(n * f)] for n, f in [(64, 0.1), (127, 0.8), (102, 0.3), (63, 0.1), (10, 1.0), (1000, 0.07), (33, 0.3)]]
write(
    "entropy.json",
    {
        "tpt": selection_case(64, 10, 0.1, seed=3),
        "difftpt": selection_case(127, 20, 0.8, seed=4),
        "masked": masked_case(),
        "truncatedSizes": sizes,
    },
)


# ---------------------------------------------------------------- SVD + Gavish–Donoho rank
def fmix32(h):
    h = h.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h = (h * np.uint32(0x85EBCA6B)).astype(np.uint32)
    h ^= h >> np.uint32(13)
    h = (h * np.uint32(0xC2B2AE35)).astype(np.uint32)
    h ^= h >> np.uint32(16)
    return h


def hashed_uniform(stream, count):
    """Uniform(-0.5, 0.5): fmix32 of (stream * 0x9E3779B9 + index) mod 2^32 (test/planted-matrix.ts)."""
    base = np.uint32((stream * 0x9E3779B9) % 2**32)
    keys = (np.arange(count, dtype=np.uint64) + np.uint64(base)) % np.uint64(2**32)
    return (fmix32(keys.astype(np.uint32)).astype(np.float64) + 0.5) / 2.0**32 - 0.5


def planted_low_rank(rows, cols, strengths, noise, salt):
    """float32(Σ_k (strength_k / √(rows·cols)) · a_k b_kᵀ + noise · E), a, b, E hashed uniforms (a, b unit variance)."""
    k = len(strengths)
    unit = math.sqrt(12.0)
    a = hashed_uniform(3 * salt + 1, rows * k).reshape(rows, k) * unit
    b = hashed_uniform(3 * salt + 2, k * cols).reshape(k, cols) * unit
    e = hashed_uniform(3 * salt + 3, rows * cols).reshape(rows, cols)
    norm = math.sqrt(rows * cols)
    acc = np.zeros((rows, cols))
    for i in range(k):
        acc += np.outer((strengths[i] / norm) * a[:, i], b[i, :])
    return (acc + noise * e).astype(np.float32)


def gavish_donoho(s, rows, cols):
    beta = min(rows, cols) / max(rows, cols)
    omega = 0.56 * beta**3 - 0.95 * beta**2 + 1.82 * beta + 1.43
    med = float(np.median(s))
    return max(1, int((s > omega * med).sum())), omega, med


def svd_reference(m32, vectors):
    m64 = torch.from_numpy(m32.astype(np.float64))
    u, s, vh = torch.linalg.svd(m64, full_matrices=False)
    s_np = np.linalg.svd(m32.astype(np.float64), compute_uv=False)
    rank, omega, med = gavish_donoho(s.numpy(), *m32.shape)
    return {
        "shape": list(m32.shape),
        "singularValuesTorch": s.tolist(),
        "singularValuesNumpy": s_np.tolist(),
        "gavishDonoho": {"rank": rank, "omega": omega, "median": med},
        "vectorCount": vectors,
        "U": f32_b64(u[:, :vectors].numpy()),
        "V": f32_b64(vh[:vectors, :].T.numpy()),
        "checksum": {"sum": float(m32.astype(np.float64).sum()), "sumSquares": float((m32.astype(np.float64) ** 2).sum())},
    }


# 20 planted directions well above the noise, 5 weak ones buried in it: the rank should come out 20.
planted_strengths = [40.0 + 8.0 * i for i in range(20)] + [4.0] * 5
planted = planted_low_rank(1000, 512, planted_strengths, noise=1.0, salt=11)
planted_ref = svd_reference(planted, vectors=20)
planted_ref["recipe"] = {"rows": 1000, "cols": 512, "strengths": planted_strengths, "noise": 1.0, "salt": 11}
planted_ref["firstEntries"] = f32_list(planted.reshape(-1)[:8])


def class_prototypes(classes, dim, seed):
    """CLIP-like text prototypes: unit rows sharing a strong common direction, a few class factors, noise."""
    g = torch.Generator().manual_seed(seed)
    common = torch.randn(dim, generator=g)
    factors = torch.randn(4, dim, generator=g)
    weights = torch.randn(classes, 4, generator=g) * torch.tensor([1.5, 1.0, 0.7, 0.5])
    z = 3.0 * common + weights @ factors + 0.5 * torch.randn(classes, dim, generator=g)
    return torch.nn.functional.normalize(z.double(), dim=1).float().numpy()


protos = class_prototypes(20, 128, seed=5)
protos_ref = svd_reference(protos, vectors=20)
protos_ref["matrix"] = f32_b64(protos)
print("planted rank", planted_ref["gavishDonoho"], "prototype rank", protos_ref["gavishDonoho"])
write("svd.json", {"planted": planted_ref, "prototypes": protos_ref})
