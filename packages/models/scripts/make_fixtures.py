"""Writes the fixtures @attune/models tests against torch, with Debian's Python stack:

    /usr/bin/python3 packages/models/scripts/make_fixtures.py
    (needs python3-torch python3-onnx python3-pil python3-torchvision)

1. fixtures/tiny-clip/: a CLIP model folder in the zoo's layout (config.json, tokenizer.json, onnx/vision_model,
   text_model, text_model_embeds, token_embedding) with the zoo's mini-CLIP architecture
   (packages/zoo/recipes/attune_recipes/clip_model.py) at a tiny width and random weights under a fixed seed.
   It tests that attune computes the same functions as torch, not what a model has learned.
2. fixtures/tiny-clip-reference.json: torch's outputs on fixed inputs — token ids (incl. a truncated text),
   text and image features, TPT's PromptLearner layout built exactly as TPT's code builds it
   (github.com/azshue/TPT clip/custom_clip.py), the text features of the assembled prompts and the gradient of
   a scalar loss with respect to the context vectors.
3. fixtures/tiny-diffusion/: an image-variation model folder in the zoo's layout (config.json, onnx/denoiser.onnx)
   with mini-diffusion's U-Net (attune_recipes/unet.py) at a tiny width, random weights, conditioned on
   tiny-clip's image embeddings; fixtures/tiny-diffusion-reference.json: the zoo's own DDIM sampler
   (attune_recipes/ddim.py) run from a deterministic x_T.
4. fixtures/preprocess-reference.json: OpenAI CLIP's `_transform` (torchvision Resize(BICUBIC) on a PIL image,
   CenterCrop, RGB, ToTensor, Normalize) on small synthetic images.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
FIXTURES = os.path.join(PACKAGE, "fixtures")
sys.path.insert(0, os.path.join(PACKAGE, "..", "zoo", "recipes"))

from attune_recipes.clip_model import (  # noqa: E402
    MiniClip,
    TextEmbedsExport,
    TextIdsExport,
    TokenEmbeddingExport,
    VisionExport,
)
from attune_recipes.ddim import ddim_sample, ddim_timesteps, linear_betas  # noqa: E402
from attune_recipes.tokenizer import CaptionTokenizer  # noqa: E402
from attune_recipes.unet import ConditionalUNet  # noqa: E402

torch.set_num_threads(1)
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
CONTEXT = 12
WIDTH = 32
PROJ = 24
LOGIT_SCALE = math.log(50.0)
CLASSES = ["zero", "one", "two", "t_shirt"]
WORDS = [
    "a photo of a {}.",
    "a blurry photo of the {}.",
    "a handwritten {}.",
    "an image of the number {}.",
]


def rounded(t, digits=7):
    return [round(float(v), digits) for v in t.reshape(-1)]


def export(module, args, path, inputs, outputs, axes):
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=17, do_constant_folding=True)


def make_model():
    texts = [t.format(c.replace("_", " ")) for t in WORDS for c in CLASSES]
    texts += ["x x x x", "t-shirt/top, with a long caption that will not fit"]
    tokenizer = CaptionTokenizer(texts, CONTEXT)
    torch.manual_seed(0)
    model = MiniClip(len(tokenizer), CONTEXT, WIDTH, 2, 4, PROJ, [(8, 1), (16, 2)])
    # Non-trivial batch-norm statistics so the exported graphs fold real numbers.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    return model, tokenizer


def write_folder(model, tokenizer, out):
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    tokenizer.save(out)
    ids = torch.tensor([tokenizer.encode_padded("a photo of a one."), tokenizer.encode_padded("a handwritten two.")])
    pixels = torch.zeros(2, 3, 28, 28)
    embeds = model.text.token_embedding(ids).detach()
    onnx_dir = os.path.join(out, "onnx")
    export(VisionExport(model), (pixels,), os.path.join(onnx_dir, "vision_model.onnx"), ["pixel_values"],
           ["image_embeds"], {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
    export(TextIdsExport(model), (ids,), os.path.join(onnx_dir, "text_model.onnx"), ["input_ids"], ["text_embeds"],
           {"input_ids": {0: "batch", 1: "sequence"}, "text_embeds": {0: "batch"}})
    export(TextEmbedsExport(model), (embeds, ids.argmax(1)), os.path.join(onnx_dir, "text_model_embeds.onnx"),
           ["inputs_embeds", "eot_index"], ["text_embeds"],
           {"inputs_embeds": {0: "batch", 1: "sequence"}, "eot_index": {0: "batch"}, "text_embeds": {0: "batch"}})
    export(TokenEmbeddingExport(model), (ids,), os.path.join(onnx_dir, "token_embedding.onnx"), ["input_ids"],
           ["inputs_embeds"], {"input_ids": {0: "batch", 1: "sequence"}, "inputs_embeds": {0: "batch", 1: "sequence"}})
    config = {
        "model_type": "clip",
        "projection_dim": PROJ,
        "logit_scale": LOGIT_SCALE,
        "image_size": 28,
        "image_mean": CLIP_MEAN,
        "image_std": CLIP_STD,
        "context_length": CONTEXT,
        "hidden_size": WIDTH,
        "pad_token_id": tokenizer.pad_id,
        "sot_token_id": tokenizer.sot_id,
        "eot_token_id": tokenizer.eot_id,
        "class_names": {"tiny": CLASSES},
        "single_template": "a photo of a {}.",
        "ensemble_templates": WORDS,
        "note": "test fixture: mini-CLIP architecture, random weights (packages/models/scripts/make_fixtures.py)",
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def tpt_prompt_learner(model, tokenizer, classnames, ctx_init):
    """TPT's PromptLearner.__init__ (class token at the end), with this tokenizer standing in for clip.tokenize."""
    tokenize = lambda text: torch.tensor([tokenizer.encode_padded(text)])  # noqa: E731
    ctx_init = ctx_init.replace("_", " ")
    n_ctx = len(ctx_init.split(" "))
    prompt = tokenize(ctx_init)
    with torch.no_grad():
        embedding = model.text.token_embedding(prompt)
    ctx_vectors = embedding[0, 1 : 1 + n_ctx, :]
    classnames = [name.replace("_", " ") for name in classnames]
    prompts = [ctx_init + " " + name + "." for name in classnames]
    tokenized = torch.cat([tokenize(p) for p in prompts])
    with torch.no_grad():
        embedding = model.text.token_embedding(tokenized)
    return {
        "ctx": ctx_vectors.clone(),
        "prefix": embedding[:, :1, :],
        "suffix": embedding[:, 1 + n_ctx :, :],
        "tokenized": tokenized,
        "prompts": prompts,
        "n_ctx": n_ctx,
    }


def reference(model, tokenizer):
    # torch.onnx.export restores the wrapper's training flag on exit, which puts the shared towers back in
    # training mode (batch-norm on batch statistics): back to eval for the reference numbers.
    model.eval()
    texts = ["a photo of a one.", "A Blurry photo of the T-shirt.", "t-shirt/top, with a long caption that will not fit"]
    ids, eot = [], []
    for text in texts:
        tokens = tokenizer.encode(text)
        if len(tokens) > CONTEXT:  # OpenAI clip.tokenize(truncate=True)
            tokens = tokens[:CONTEXT]
            tokens[-1] = tokenizer.eot_id
        eot.append(len(tokens) - 1)
        ids.append(tokens + [tokenizer.pad_id] * (CONTEXT - len(tokens)))
    ids_t = torch.tensor(ids)
    gen = torch.Generator().manual_seed(1)
    images = torch.rand(3, 3, 28, 28, generator=gen)
    pixels = (images - torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)) / torch.tensor(CLIP_STD).view(1, 3, 1, 1)

    learner = tpt_prompt_learner(model, tokenizer, CLASSES, "a photo of a")
    delta = torch.randn(learner["ctx"].shape, generator=gen) * 0.05
    ctx = (learner["ctx"] + delta).requires_grad_(True)
    n_cls = len(CLASSES)
    prompts = torch.cat([learner["prefix"], ctx.unsqueeze(0).expand(n_cls, -1, -1), learner["suffix"]], dim=-2)
    eot_index = learner["tokenized"].argmax(-1)
    features = model.text.encode_embeds(prompts, eot_index)
    image_features = F.normalize(torch.randn(5, PROJ, generator=gen), dim=-1)
    logits = math.exp(LOGIT_SCALE) * image_features @ F.normalize(features, dim=-1).t()
    loss = -(logits.softmax(-1) * logits.log_softmax(-1)).sum(-1).mean()
    loss.backward()

    with torch.no_grad():
        return {
            "texts": texts,
            "input_ids": ids,
            "eot_index": eot,
            "text_embeds": rounded(model.text(ids_t)),
            "images_seed": "torch.rand(3,3,28,28, generator seed 1), values listed below",
            "images": rounded(images, 8),
            "image_embeds": rounded(model.vision(pixels)),
            "tpt": {
                "class_names": CLASSES,
                "init_text": "a photo of a",
                "prompts": learner["prompts"],
                "n_ctx": learner["n_ctx"],
                "token_ids": learner["tokenized"].reshape(-1).tolist(),
                "eot_index": eot_index.tolist(),
                "ctx_init": rounded(learner["ctx"]),
                "prefix_shape": list(learner["prefix"].shape),
                "suffix_shape": list(learner["suffix"].shape),
                "suffix": rounded(learner["suffix"]),
                "ctx": rounded(ctx.detach()),
                "text_features": rounded(features),
                "image_features": rounded(image_features),
                "loss": float(loss),
                "ctx_grad": rounded(ctx.grad, 9),
            },
        }


CLIP_TRANSFORM = transforms.Compose([
    transforms.Resize(28, interpolation=transforms.InterpolationMode.BICUBIC),
    transforms.CenterCrop(28),
    lambda image: image.convert("RGB"),
    transforms.ToTensor(),
    transforms.Normalize(CLIP_MEAN, CLIP_STD),
])


def preprocess_reference():
    rng = np.random.default_rng(7)
    cases = []
    # (width, height, mode): downsampling, upsampling, already square at size, grayscale, non-square crops.
    for width, height, mode in [(40, 30, "RGB"), (17, 23, "RGB"), (28, 28, "L"), (61, 45, "L"), (33, 28, "RGB"),
                                (30, 29, "RGB")]:
        channels = 3 if mode == "RGB" else 1
        data = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
        # Smooth structure on top of noise, so the resampling weights matter.
        yy, xx = np.mgrid[0:height, 0:width]
        ramp = ((xx * 255) // max(width - 1, 1) + (yy * 127) // max(height - 1, 1)) // 2
        data = ((data.astype(np.int32) + ramp[..., None]) // 2).astype(np.uint8)
        image = Image.fromarray(data[..., 0] if channels == 1 else data, mode)
        out = CLIP_TRANSFORM(image)
        cases.append({
            "width": width,
            "height": height,
            "channels": channels,
            "data": data.reshape(-1).tolist(),
            "expected": rounded(out, 8),
            "resized": list(transforms.Resize(28, interpolation=transforms.InterpolationMode.BICUBIC)(image).size),
        })
    return {"size": 28, "mean": CLIP_MEAN, "std": CLIP_STD, "transform": "OpenAI CLIP _transform(28)", "cases": cases}


def deterministic_image():
    """A 28x28 grayscale source image the TypeScript test rebuilds: v = (7 * i) mod 256 for pixel index i."""
    return (torch.arange(28 * 28) * 7 % 256).to(torch.uint8)


def deterministic_noise(count):
    """x_T = 1.2 * sin(0.37 * i + 0.5) for flat index i over [count,1,28,28] (float64, then float32)."""
    i = torch.arange(count * 28 * 28, dtype=torch.float64)
    return (1.2 * torch.sin(0.37 * i + 0.5)).float().view(count, 1, 28, 28)


def make_diffusion(clip_model):
    out = os.path.join(FIXTURES, "tiny-diffusion")
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    torch.manual_seed(3)
    unet = ConditionalUNet(PROJ, (8, 16, 16), emb_dim=32, time_dim=16)
    # Random (not zero-initialised) output weights, so the noise prediction depends on every input.
    with torch.no_grad():
        for p in unet.parameters():
            if p.abs().sum() == 0 and p.ndim > 1:
                p.normal_(0, 0.05)
    unet.eval()
    path = os.path.join(out, "onnx", "denoiser.onnx")
    torch.onnx.export(unet, (torch.randn(2, 1, 28, 28), torch.tensor([10.0, 500.0]), torch.randn(2, PROJ)), path,
                      input_names=["x_t", "t", "cond"], output_names=["eps"],
                      dynamic_axes={"x_t": {0: "batch"}, "t": {0: "batch"}, "cond": {0: "batch"}, "eps": {0: "batch"}},
                      opset_version=17, do_constant_folding=True)
    unet.eval()
    betas = linear_betas(1000, 1e-4, 0.02)
    steps = 4
    timesteps, _ = ddim_timesteps(1000, steps)
    config = {
        "model_type": "ddpm-image-variation",
        "image_size": 28,
        "channels": 1,
        "prediction_type": "epsilon",
        "num_train_timesteps": 1000,
        "beta_schedule": "linear",
        "beta_start": 1e-4,
        "beta_end": 0.02,
        "betas": [float(b) for b in betas],
        "cond_dim": PROJ,
        "condition_model": "../tiny-clip",
        "unconditional_cond": "zeros",
        "guidance_scale": 3.0,
        "ddim": {"steps": steps, "eta": 0.0, "timestep_spacing": "leading", "timesteps": timesteps,
                 "clip_sample": True, "final_alpha_cumprod": 1.0},
        "model_input_range": [-1, 1],
        "onnx": {"denoiser": "onnx/denoiser.onnx"},
        "note": "test fixture: mini-diffusion's U-Net, random weights (packages/models/scripts/make_fixtures.py)",
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")

    clip_model.eval()
    gray = deterministic_image().float().div(255).view(1, 1, 28, 28)
    pixels = (gray.expand(-1, 3, -1, -1) - torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)) / torch.tensor(CLIP_STD).view(1, 3, 1, 1)
    with torch.no_grad():
        cond = F.normalize(clip_model.vision(pixels), dim=-1)
        x_t = deterministic_noise(2)
        eps = unet(x_t, torch.tensor([480.0, 7.0]), torch.cat([cond, torch.zeros_like(cond)]))
        sample = ddim_sample(unet, cond.expand(2, -1), betas, steps, 0.0, 3.0, x_T=x_t)
        one_step = ddim_sample(unet, cond.expand(2, -1), betas, 1, 0.0, 3.0, x_T=x_t)
    return {
        "source_image": "uint8 (7 * i) mod 256 for pixel index i, 28x28 grayscale",
        "x_T": "1.2 * sin(0.37 * i + 0.5) for flat index i over [2,1,28,28] (float64, then float32)",
        "cond": rounded(cond),
        "eps_t480_cond_and_t7_uncond": rounded(eps, 8),
        "ddim_steps": steps,
        "guidance_scale": 3.0,
        "timesteps": timesteps,
        "ddim_images": rounded(sample, 8),
        "ddim_one_step_images": rounded(one_step, 8),
    }


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    model, tokenizer = make_model()
    write_folder(model, tokenizer, os.path.join(FIXTURES, "tiny-clip"))
    with open(os.path.join(FIXTURES, "tiny-clip-reference.json"), "w") as f:
        json.dump(reference(model, tokenizer), f)
        f.write("\n")
    with open(os.path.join(FIXTURES, "tiny-diffusion-reference.json"), "w") as f:
        json.dump(make_diffusion(model), f)
        f.write("\n")
    with open(os.path.join(FIXTURES, "preprocess-reference.json"), "w") as f:
        json.dump(preprocess_reference(), f)
        f.write("\n")
    print("wrote", FIXTURES)


if __name__ == "__main__":
    main()
