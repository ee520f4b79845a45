"""Write CLIP ViT-B/32- and ViT-B/16-shaped ONNX towers with random weights (pnpm zoo:shaped).

Real layer sizes (vision width 768, 12 layers, 12 heads, patch 32/16, 224x224; text width 512, 12 layers,
8 heads, context 77, vocab 49408; projection 512) and Hugging Face input/output names, plus attune's
prompt-tuning entry points (text_model_embeds.onnx with eot_index, token_embedding.onnx). The weights are
random: these exports measure real-scale cost (latency, memory, executor coverage), never accuracy.
Exports that already exist are skipped. The two text towers have the same shape and seed, so the B/16
folder hard-links the B/32 text files instead of storing them twice.
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from attune_recipes.deps import check_dependencies  # noqa: E402

check_dependencies()

import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from attune_recipes.card import file_entries, today, write_json  # noqa: E402
from attune_recipes.clip_model import (  # noqa: E402
    Block,
    TextEmbedsExport,
    TextEncoder,
    TextIdsExport,
    TokenEmbeddingExport,
)

OPSET = 17
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
VIT_B = dict(vision_width=768, vision_layers=12, vision_heads=12, image_size=224, text_width=512, text_layers=12,
             text_heads=8, context_length=77, vocab_size=49408, projection_dim=512)
SPECS = {
    "clip-vit-b-32": dict(patch_size=32, **VIT_B),
    "clip-vit-b-16": dict(patch_size=16, **VIT_B),
}
TEXT_FILES = ["text_model.onnx", "text_model_embeds.onnx", "token_embedding.onnx"]


class VisionTransformer(nn.Module):
    """CLIP's ViT image tower: patch conv, class token, pre-LN blocks, LN on the class token, projection."""

    def __init__(self, image_size, patch_size, width, layers, heads, projection_dim):
        super().__init__()
        grid = image_size // patch_size
        self.conv1 = nn.Conv2d(3, width, patch_size, stride=patch_size, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(width) * width**-0.5)
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, width) * width**-0.5)
        self.ln_pre = nn.LayerNorm(width)
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(torch.randn(width, projection_dim) * width**-0.5)
        self.register_buffer("no_mask", torch.zeros(1, 1), persistent=False)

    def forward(self, pixel_values):
        x = self.conv1(pixel_values)
        x = x.flatten(2).transpose(1, 2)  # [N, grid*grid, width]
        cls = self.class_embedding.view(1, 1, -1).expand(x.shape[0], 1, -1)
        x = self.ln_pre(torch.cat([cls, x], dim=1) + self.positional_embedding)
        for block in self.blocks:
            x = block(x, self.no_mask)
        return self.ln_post(x[:, 0, :]) @ self.proj


class VisionExport(nn.Module):
    def __init__(self, vision):
        super().__init__()
        self.vision = vision

    def forward(self, pixel_values):
        return self.vision(pixel_values)


class TextHolder(nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text


def export(module, args, path, inputs, outputs, axes):
    module.eval()
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(path)


def write_text_towers(spec, onnx_dir, seed):
    torch.manual_seed(seed + 1)
    text = TextEncoder(spec["vocab_size"], spec["context_length"], spec["text_width"], spec["text_layers"],
                       spec["text_heads"], spec["projection_dim"])
    holder = TextHolder(text)
    L = spec["context_length"]
    ids = torch.randint(1, spec["vocab_size"] - 1, (2, L))
    ids[:, 7] = spec["vocab_size"] - 1  # EOT (largest id) as the pooling position
    ids[:, 8:] = 0
    embeds = text.token_embedding(ids).detach()
    export(TextIdsExport(holder), (ids,), os.path.join(onnx_dir, "text_model.onnx"), ["input_ids"], ["text_embeds"],
           {"input_ids": {0: "batch", 1: "sequence"}, "text_embeds": {0: "batch"}})
    export(TextEmbedsExport(holder), (embeds, ids.argmax(1)), os.path.join(onnx_dir, "text_model_embeds.onnx"),
           ["inputs_embeds", "eot_index"], ["text_embeds"],
           {"inputs_embeds": {0: "batch", 1: "sequence"}, "eot_index": {0: "batch"}, "text_embeds": {0: "batch"}})
    export(TokenEmbeddingExport(holder), (ids,), os.path.join(onnx_dir, "token_embedding.onnx"), ["input_ids"],
           ["inputs_embeds"], {"input_ids": {0: "batch", 1: "sequence"}, "inputs_embeds": {0: "batch", 1: "sequence"}})
    return sum(p.numel() for p in text.parameters())


def write_shaped(name, spec, out_root, seed, text_source):
    """Returns (folder, text parameter count) so the next export can hard-link the text files."""
    folder = os.path.join(out_root, name)
    card_path = os.path.join(folder, "card.json")
    if os.path.exists(card_path):
        print(f"{name}: exists in {folder}, skipped")
        with open(card_path) as f:
            return folder, json.load(f)["parameters"]["text"]
    started = time.time()
    onnx_dir = os.path.join(folder, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    torch.manual_seed(seed)
    vision = VisionTransformer(spec["image_size"], spec["patch_size"], spec["vision_width"], spec["vision_layers"],
                               spec["vision_heads"], spec["projection_dim"])
    export(VisionExport(vision), (torch.zeros(1, 3, spec["image_size"], spec["image_size"]),),
           os.path.join(onnx_dir, "vision_model.onnx"), ["pixel_values"], ["image_embeds"],
           {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
    vision_params = sum(p.numel() for p in vision.parameters())
    del vision
    if text_source and all(os.path.exists(os.path.join(text_source[0], f)) for f in TEXT_FILES):
        for f in TEXT_FILES:
            target = os.path.join(onnx_dir, f)
            if not os.path.exists(target):
                os.link(os.path.join(text_source[0], f), target)
        text_params = text_source[1]
    else:
        text_params = write_text_towers(spec, onnx_dir, seed)
    vocab = spec["vocab_size"]
    config = {
        "model_type": "clip",
        "architectures": ["ShapedClip"],
        "shaped_export": True,
        "projection_dim": spec["projection_dim"],
        "logit_scale": math.log(100.0),
        "logit_scale_exp": 100.0,
        "image_size": spec["image_size"],
        "image_mean": CLIP_MEAN,
        "image_std": CLIP_STD,
        "context_length": spec["context_length"],
        "hidden_size": spec["text_width"],
        "pad_token_id": 0,
        "sot_token_id": vocab - 2,
        "eot_token_id": vocab - 1,
        "vision_config": {"image_size": spec["image_size"], "patch_size": spec["patch_size"],
                          "hidden_size": spec["vision_width"], "num_hidden_layers": spec["vision_layers"],
                          "num_attention_heads": spec["vision_heads"]},
        "text_config": {"vocab_size": vocab, "max_position_embeddings": spec["context_length"],
                        "hidden_size": spec["text_width"], "num_hidden_layers": spec["text_layers"],
                        "num_attention_heads": spec["text_heads"]},
        "onnx": {"vision_model": "onnx/vision_model.onnx", "text_model": "onnx/text_model.onnx",
                 "text_model_embeds": "onnx/text_model_embeds.onnx", "token_embedding": "onnx/token_embedding.onnx"},
        "opset": OPSET,
    }
    write_json(os.path.join(folder, "config.json"), config)
    write_json(os.path.join(folder, "tokenizer.json"), shaped_tokenizer(vocab))
    card = {
        "id": f"shaped:{name}",
        "kind": "vision-language",
        "description": f"CLIP {name[5:].upper().replace('-', '/', 1)}-shaped towers with RANDOM weights: real sizes "
        "for cost measurements, meaningless outputs",
        "training_data": {"none": "random weights"},
        "recipe": "recipes/shaped.py",
        "retrain": "pnpm zoo:shaped",
        "seed": seed,
        "metrics": {},
        "parameters": {"vision": vision_params, "text": text_params, "total": vision_params + text_params},
        "training_seconds": round(time.time() - started, 1),
        "date": today(),
        "torch_version": torch.__version__,
        "files": file_entries(folder),
    }
    write_json(os.path.join(folder, "card.json"), card)
    total = sum(f["bytes"] for f in card["files"])
    print(f"{name}: wrote {folder} ({total / 1e6:.0f} MB) in {time.time() - started:.0f} s")
    return folder, text_params


def shaped_tokenizer(vocab_size):
    """A word-level tokenizer.json spanning the full id range, so folders resolve and ids stay in range.

    It is not OpenAI's BPE: shaped exports have random weights, so only sequence lengths and id ranges matter.
    """
    specials = {"<|pad|>": 0, "<|unk|>": 1, "<|startoftext|>": vocab_size - 2, "<|endoftext|>": vocab_size - 1}
    vocab = dict(specials)
    for i in range(2, vocab_size - 2):
        vocab[f"w{i}"] = i
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for t, i in sorted(specials.items(), key=lambda kv: kv[1])]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<|startoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [i], "tokens": [t]} for t, i in specials.items() if i >= vocab_size - 2},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "<|unk|>", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="cache folder, e.g. ~/.cache/attune/shaped")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("names", nargs="*", default=list(SPECS), help=f"which exports (default: all of {list(SPECS)})")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in SPECS]
    if unknown:
        print(f"unknown shaped export(s) {unknown}; known: {list(SPECS)}", file=sys.stderr)
        sys.exit(2)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    text_source = None
    for name in args.names:
        folder, text_params = write_shaped(name, SPECS[name], args.out, args.seed, text_source)
        text_source = (os.path.join(folder, "onnx"), text_params)
    print(f"shaped exports in {args.out}: {', '.join(args.names)}")


if __name__ == "__main__":
    main()
