"""The PyTorch side of bench/gradients.ts: the same ViT-B/32-shaped text tower (the zoo recipe's TextEncoder
rebuilt with the shaped export's seed, so the same weights), on the same CPU with 2 threads.

Measures, medians over --runs: forward and forward + backward w.r.t. inputs_embeds for a batch of --batch
prompts; one whole TPT step at C = --classes (all prompts in one taped pass, marginal entropy of --kept views,
AdamW on ctx). Prints one JSON line. Run with Debian's torch: /usr/bin/python3 bench/torch_gradients.py
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "zoo", "recipes"))

import torch  # noqa: E402

from attune_recipes.clip_model import TextEncoder  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--batch", type=int, default=8)
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--classes", type=int, default=200)
parser.add_argument("--kept", type=int, default=6)
parser.add_argument("--step-runs", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--length", type=int, default=77,
                    help="the prompts' sequence length: 77 as TPT's code runs them, or attune's cut after EOT")
args = parser.parse_args()
torch.set_num_threads(args.threads)

# recipes/shaped.py write_text_towers: torch.manual_seed(seed + 1) with seed 0, then TextEncoder(...).
torch.manual_seed(1)
text = TextEncoder(49408, 77, 512, 12, 8, 512).eval()
for p in text.parameters():
    p.requires_grad_(False)
L, W = args.length, 512


def timed(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), times


gen = torch.Generator().manual_seed(0)
embeds = torch.randn(args.batch, L, W, generator=gen) * 0.02
eot = torch.full((args.batch,), min(7, L - 1), dtype=torch.long)


def forward():
    with torch.no_grad():
        text.encode_embeds(embeds, eot)


def forward_backward():
    x = embeds.clone().requires_grad_(True)
    y = text.encode_embeds(x, eot)
    (g,) = torch.autograd.grad(y, x, torch.ones_like(y))
    return g


fwd_ms, fwd_all = timed(forward, args.runs)
bwd_ms, bwd_all = timed(forward_backward, args.runs)

# One TPT step at C classes: prefix [C,1,W], ctx [4,W], suffix [C,L-5,W]; logit scale 100.
C = args.classes
prefix = torch.randn(C, 1, W, generator=gen) * 0.02
suffix = torch.randn(C, L - 5, W, generator=gen) * 0.02
eots = torch.full((C,), min(9, L - 1), dtype=torch.long)
views = torch.randn(args.kept, 512, generator=gen)
ctx = torch.nn.Parameter(torch.randn(4, W, generator=gen) * 0.02)
opt = torch.optim.AdamW([ctx], lr=5e-3)


def tpt_step():
    full = torch.cat([prefix, ctx.unsqueeze(0).expand(C, -1, -1), suffix], 1)
    feats = text.encode_embeds(full, eots)
    feats = feats / feats.norm(dim=-1, keepdim=True)
    img = views / views.norm(dim=-1, keepdim=True)
    logits = 100 * img @ feats.t()
    logp = logits.log_softmax(-1)
    avg = (logp.exp().mean(0)).clamp_min(1e-30).log()
    loss = -(avg.exp() * avg).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()


step_ms, step_all = timed(tpt_step, args.step_runs)
print(json.dumps({
    "torch": torch.__version__,
    "threads": args.threads,
    "batch": args.batch,
    "forward_ms_per_prompt": fwd_ms / args.batch,
    "forward_backward_ms_per_prompt": bwd_ms / args.batch,
    "forward_runs_ms": fwd_all,
    "forward_backward_runs_ms": bwd_all,
    "tpt_step_ms": step_ms,
    "tpt_step_runs_ms": step_all,
    "classes": C,
    "length": L,
}))
