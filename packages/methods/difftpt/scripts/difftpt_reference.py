"""PyTorch reference for DiffTPT's view filters and tuning on zoo:mini-clip -> fixtures/difftpt-parity.json.

The algorithm is chunmeifeng/DiffTPT as released: difftpt_utils.py `select_confident_samples_cosine` (cosine
similarity between view 0's logit vector and every other view's, top int(127 * 0.8) = 101, view 0 put back,
then the int(102 * 0.3) = 30 lowest-entropy) and `test_time_tuning_difftpt` (the same indices for steps 2-4,
avg_entropy, torch.optim.AdamW at lr 5e-3, 4 steps); the paper's separate filters (its section 4.3) as the
'paper' variant. Prompt learner, text encoder (the zoo recipe's torch module with the committed weights),
loss and optimizer come from method-tpt's reference (packages/methods/tpt/scripts/tpt_reference.py), in
float64.

Views (128): view 0 = MNIST test image 0; 64 conventional views = RandomResizedCrop(0.08-1) + flip of it
(seeded, the recipe's batched crop); 63 generated views:
  --generated diffusion (default): variations sampled from an image-variation model folder (--diffusion-dir,
      default packages/zoo/models/mini-diffusion) with the zoo recipe's DDIM sampler (attune_recipes/ddim.py,
      guidance and steps from its config) on its committed denoiser.onnx, conditioned on the normalised
      mini-CLIP embedding of the image — what @attune/models' ImageVariationModel does, with torch's random
      numbers;
  --generated stand-in: the 63 MNIST test images that follow (real images, for when no diffusion model is
      at hand).
The fixture stores all 128 view features, so the TypeScript test starts from exactly these numbers whatever
produced them.

  /usr/bin/python3 packages/methods/difftpt/scripts/difftpt_reference.py            # writes the fixture
  /usr/bin/python3 packages/methods/difftpt/scripts/difftpt_reference.py --check    # compare, write nothing
"""

import argparse
import json
import os
import sys

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.dirname(SCRIPT_DIR)
TPT_SCRIPTS = os.path.join(os.path.dirname(PACKAGE_DIR), "tpt", "scripts")
sys.path.insert(0, TPT_SCRIPTS)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import tpt_reference as tpt  # noqa: E402

DEFAULT_OUT = os.path.join(PACKAGE_DIR, "fixtures", "difftpt-parity.json")
DEFAULT_DIFFUSION_DIR = os.path.join(tpt.REPO_DIR, "packages", "zoo", "models", "mini-diffusion")


def diffusion_variations(diffusion_dir, clip_dir, gray_image, count, seed):
    """`count` variations [count,1,28,28] in [0,1] of one grey image [1,1,28,28] from an image-variation model."""
    from attune_recipes.ddim import ddim_sample, linear_betas

    with open(os.path.join(diffusion_dir, "config.json")) as f:
        config = json.load(f)
    if config["beta_schedule"] != "linear" or config["prediction_type"] != "epsilon":
        raise SystemExit(f"{diffusion_dir}: expected a linear-beta epsilon model, got {config['beta_schedule']}")
    denoiser = tpt.OnnxGraph(os.path.join(diffusion_dir, config["onnx"]["denoiser"]))
    embedding = tpt.image_features(clip_dir, gray_image)
    cond = (embedding / embedding.norm(dim=-1, keepdim=True)).expand(count, -1).contiguous()
    betas = linear_betas(config["num_train_timesteps"], config["beta_start"], config["beta_end"])
    ddim = config["ddim"]
    generator = torch.Generator().manual_seed(seed)

    def eps(x, t, c):
        return denoiser(x_t=x.float(), t=t.float(), cond=c.float())["eps"]

    return ddim_sample(eps, cond, betas, steps=ddim["steps"], eta=ddim["eta"], guidance=config["guidance_scale"],
                       generator=generator), config


# ---- the filters ------------------------------------------------------------------------------------------


def select_confident_samples_cosine(logits, selection_cosine, selection_selfentro):
    """difftpt_utils.select_confident_samples_cosine, returning its two-level indices and similarities."""
    cosine_distan = [torch.nn.CosineSimilarity(dim=0)(logits[0], logits[i]) for i in range(1, logits.shape[0])]
    cosine_distan = torch.stack(cosine_distan)
    idx_cosine = torch.argsort(cosine_distan, descending=True)[: int(cosine_distan.size()[0] * selection_cosine)]
    idx_cosine = idx_cosine + 1
    logits_cos = logits[idx_cosine]
    logits = torch.cat((logits[0, :].unsqueeze(0), logits_cos), dim=0)
    batch_entropy = -(logits.softmax(1) * logits.log_softmax(1)).sum(1)
    idx = torch.argsort(batch_entropy, descending=False)[: int(batch_entropy.size()[0] * selection_selfentro)]
    return logits[idx], [idx_cosine, idx], cosine_distan


def code_filter(logits, cosine, entropy):
    """The code's filter with its indices flattened to rows of `logits`: cat(row 0, rows idx_cosine)[idx]."""
    kept_logits, (idx_cosine, idx), _ = select_confident_samples_cosine(logits, cosine, entropy)
    rows = torch.cat([torch.zeros(1, dtype=torch.long), idx_cosine])[idx]
    assert torch.equal(kept_logits, logits[rows])
    return kept_logits, rows


def lowest_entropy(logits, rows, fraction):
    rows = torch.as_tensor(rows, dtype=torch.long)
    sub = logits[rows]
    batch_entropy = -(sub.softmax(1) * sub.log_softmax(1)).sum(1)
    return rows[torch.argsort(batch_entropy, descending=False)[: int(len(rows) * fraction)]]


def paper_filter(logits, image_features, augmented, generated, cosine, entropy):
    """The paper's separate filters: conventional views (0..A) by entropy; generated views by the cosine
    similarity of their image features to view 0's (top int(G * cosine)), then by entropy."""
    conventional = lowest_entropy(logits, list(range(1 + augmented)), entropy)
    first = 1 + augmented
    similarity = torch.stack(
        [torch.nn.CosineSimilarity(dim=0)(image_features[0], image_features[first + i]) for i in range(generated)]
    )
    by_cosine = torch.argsort(similarity, descending=True)[: int(generated * cosine)] + first
    generated_kept = lowest_entropy(logits, by_cosine.tolist(), entropy)
    rows = torch.cat([conventional, generated_kept])
    return logits[rows], rows, {"conventional": conventional, "generatedByCosine": by_cosine}


# ---- main -------------------------------------------------------------------------------------------------


def run(text, class_names, features, config, select):
    learner = tpt.PromptLearner(text, class_names, config["initText"])
    feats = features.to(text.dtype)
    with torch.no_grad():
        before = tpt.clip_logits(text, feats, learner)
    kept, grad, losses = tpt.tune(
        text, learner, feats, config["steps"], config["lr"], config["weightDecay"], config["eps"], select
    )
    with torch.no_grad():
        after = tpt.clip_logits(text, feats, learner)
    return {
        "kept": [int(i) for i in kept],
        "losses": [float(f"{v:.12g}") for v in losses],
        "entropyBefore": float(f"{float(tpt.avg_entropy(before[kept])):.12g}"),
        "entropyAfter": float(f"{float(tpt.avg_entropy(after[kept])):.12g}"),
        "gradFirstStep": tpt.rounded(grad),
        "ctx": tpt.rounded(learner.ctx),
        "logitsView0": tpt.rounded(after[0]),
    }, before


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default=tpt.DEFAULT_MODEL_DIR)
    parser.add_argument("--mnist-dir", default=tpt.DEFAULT_MNIST_DIR)
    parser.add_argument("--image-index", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0, help="seed of the conventional view crops")
    parser.add_argument("--generated", choices=["diffusion", "stand-in"], default="diffusion")
    parser.add_argument("--diffusion-dir", default=DEFAULT_DIFFUSION_DIR)
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="recompute and compare with the committed fixture")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)

    text = tpt.MiniClipText(args.model_dir)
    print(f"rebuilt text encoder vs text_model_embeds.onnx: max |diff| {text.check_against_onnx():.2e}")
    config = {
        "augmentedViews": 64, "generatedViews": 63, "cosineSelection": 0.8, "selection": 0.3, "steps": 4,
        "lr": 5e-3, "weightDecay": 0.01, "eps": 1e-8, "nCtx": 4, "initText": "a photo of a",
    }
    class_names = list(tpt.MNIST_CLASSES)
    images, labels = tpt.load_split(args.mnist_dir, "test")
    conventional = tpt.make_views(images[args.image_index], 1 + config["augmentedViews"], args.seed)
    if args.generated == "stand-in":
        stand_ins = list(range(args.image_index + 1, args.image_index + 1 + config["generatedViews"]))
        generated = torch.from_numpy(images[stand_ins].copy()).float().div(255).unsqueeze(1)
        source = {
            "kind": "stand-in",
            "what": "MNIST test images following the test image (no diffusion model used)",
            "indices": stand_ins,
            "labels": [int(labels[i]) for i in stand_ins],
        }
    else:
        generated, diffusion_config = diffusion_variations(
            args.diffusion_dir, args.model_dir, conventional[:1], config["generatedViews"], args.seed
        )
        source = {
            "kind": "diffusion",
            "what": f"DDIM variations of the test image (torch generator seed {args.seed})",
            "model": os.path.relpath(os.path.realpath(args.diffusion_dir), tpt.REPO_DIR),
            "denoiserSha256": tpt.sha256(os.path.join(args.diffusion_dir, diffusion_config["onnx"]["denoiser"])),
            "guidance": diffusion_config["guidance_scale"],
            "ddimSteps": diffusion_config["ddim"]["steps"],
        }
    features = tpt.image_features(args.model_dir, torch.cat([conventional, generated]))

    cos, ent = config["cosineSelection"], config["selection"]
    A, G = config["augmentedViews"], config["generatedViews"]
    code_run, logits_before = run(text, class_names, features, config, lambda lg: code_filter(lg, cos, ent))
    paper_run, _ = run(
        text, class_names, features, config, lambda lg: paper_filter(lg, features.to(lg.dtype), A, G, cos, ent)[:2]
    )
    del paper_run["gradFirstStep"]  # the gradient check is the code variant's

    # The filters alone on fixed float32 logits (view logits with the initial context), so a TypeScript test
    # can check them exactly, without the rounding of a forward pass in between.
    fixed = logits_before.float()
    _, (idx_cosine, _), similarity = select_confident_samples_cosine(fixed.double(), cos, ent)
    _, code_rows = code_filter(fixed.double(), cos, ent)
    _, paper_rows, paper_parts = paper_filter(fixed.double(), features.double(), A, G, cos, ent)

    payload = {
        "note": "Generated by scripts/difftpt_reference.py (torch reference of chunmeifeng/DiffTPT on zoo:mini-clip); "
        "regenerate when the model changes.",
        "model": tpt.model_record(args.model_dir),
        "image": {"dataset": "mnist", "split": "test", "index": args.image_index,
                  "label": int(labels[args.image_index])},
        "viewSeed": args.seed,
        "generatedViewsSource": source,
        "classNames": class_names,
        "config": config,
        "viewFeatures": tpt.encode_f32(features),
        "filters": {
            "logits": tpt.encode_f32(fixed),
            "code": {
                "cosineKept": [int(i) for i in idx_cosine],
                "similarity": tpt.rounded(similarity),
                "kept": [int(i) for i in code_rows],
            },
            "paper": {
                "conventionalKept": [int(i) for i in paper_parts["conventional"]],
                "generatedCosineKept": [int(i) for i in paper_parts["generatedByCosine"]],
                "kept": [int(i) for i in paper_rows],
            },
        },
        "runs": {"code": code_run, "paper": paper_run},
    }
    for name, r in payload["runs"].items():
        print(f"{name}: {len(r['kept'])} kept, losses {[round(v, 6) for v in r['losses']]}, "
              f"view 0 argmax {int(np.argmax(r['logitsView0']))}")
    if args.check:
        with open(args.out) as f:
            committed = json.load(f)
        print(f"largest difference from {args.out}: {tpt.compare(committed, payload):.3e}")
        return
    tpt.write_json(args.out, payload)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
