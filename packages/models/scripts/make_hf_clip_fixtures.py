"""Writes fixtures/hf-clip/: tiny random CLIP checkpoints exported by export_hf_clip.py as a user would, in the
Hugging Face layout, to test attune on folders it did not make (issue 14):

    legacy-ids/   only the towers, as transformers.js folders come (no embeds entry point); text_config bos/eos/pad = 0/2/1 (openai/clip-vit-base-patch32's legacy config ids), so the
                  text tower pools at argmax(input_ids), as transformers does for eos_token_id == 2
    real-ids/     the same weights with the tokenizer's real ids (bos 58, eos 59): pools at the first eos
    combined/     the same weights as one onnx/model.onnx (Optimum's CLIPModel layout), legacy ids
    reference.json  torch's token ids, text/image embeddings and probabilities on fixed prompts and images

Tokenizer: the zoo's mini-CLIP tokenizer.json (word-level, 60 ids, <|startoftext|> 58, <|endoftext|> 59).
Run with Debian's torch:  /usr/bin/python3 packages/models/scripts/make_hf_clip_fixtures.py
"""

import json
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
OUT = os.path.join(PACKAGE, "fixtures", "hf-clip")
ZOO = os.path.join(PACKAGE, "..", "zoo", "models", "mini-clip")
sys.path.insert(0, os.path.join(PACKAGE, "..", "zoo", "recipes"))
sys.path.insert(0, HERE)

from attune_recipes.tokenizer import CaptionTokenizer  # noqa: E402
from export_hf_clip import CLIPModel  # noqa: E402

torch.set_num_threads(1)
SEED = 0
LOGIT_SCALE = 3.2  # exp = 24.5: a trained-looking scale that differs from the init value 2.6592


def config(bos, eos, pad):
    return {
        "model_type": "clip",
        "architectures": ["CLIPModel"],
        "projection_dim": 16,
        "logit_scale_init_value": 2.6592,
        "text_config": {
            "vocab_size": 60,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "max_position_embeddings": 20,
            "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-5,
            "bos_token_id": bos,
            "eos_token_id": eos,
            "pad_token_id": pad,
        },
        "vision_config": {
            "image_size": 28,
            "patch_size": 7,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 1,
            "num_attention_heads": 4,
            "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-5,
        },
    }


PREPROCESSOR = {
    "crop_size": {"height": 28, "width": 28},
    "do_center_crop": True,
    "do_normalize": True,
    "do_resize": True,
    "image_mean": [0.5, 0.45, 0.4],
    "image_std": [0.25, 0.26, 0.27],
    "resample": 3,
    "size": {"shortest_edge": 28},
}


def main():
    os.makedirs(OUT, exist_ok=True)
    variants = {"legacy-ids": (config(0, 2, 1), "towers"), "real-ids": (config(58, 59, 0), "towers"),
                "combined": (config(0, 2, 1), "combined")}
    prep = os.path.join(OUT, "preprocessor_config.json.tmp")
    with open(prep, "w") as f:
        json.dump(PREPROCESSOR, f, indent=2)
    for name, (cfg, layout) in variants.items():
        cfg_path = os.path.join(OUT, f"{name}.config.tmp.json")
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)
        subprocess.run([sys.executable, os.path.join(HERE, "export_hf_clip.py"), "--random", "--seed", str(SEED),
                        "--config", cfg_path, "--tokenizer", os.path.join(ZOO, "tokenizer.json"),
                        "--preprocessor", prep, "--logit-scale", str(LOGIT_SCALE), "--layout", layout,
                        "--out", os.path.join(OUT, name)], check=True)
        os.remove(cfg_path)
    os.remove(prep)
    # As transformers.js / Optimum folders come: no embeds entry point (attune derives it by graph surgery).
    for name in ["text_model_embeds.onnx", "token_embedding.onnx"]:
        os.remove(os.path.join(OUT, "legacy-ids", "onnx", name))

    # torch's numbers on fixed prompts and images (the same weights in every variant).
    torch.manual_seed(SEED)
    model = CLIPModel(config(58, 59, 0)).eval()
    model.logit_scale.data.fill_(LOGIT_SCALE)
    with open(os.path.join(ZOO, "tokenizer.json")) as f:
        vocab = json.load(f)["model"]["vocab"]
    tok = CaptionTokenizer.from_vocab(vocab, 20)
    prompts = ["a photo of a zero.", "a photo of a seven.", "a photo of a nine."]
    ids = torch.tensor([tok.encode_padded(p) for p in prompts])
    g = torch.Generator().manual_seed(1)
    images_u8 = torch.randint(0, 256, (2, 28, 28, 3), generator=g)  # HWC bytes, as attune's RawImage
    images = images_u8.float() / 255
    mean, std = torch.tensor(PREPROCESSOR["image_mean"]), torch.tensor(PREPROCESSOR["image_std"])
    pixels = ((images - mean) / std).permute(0, 3, 1, 2)
    with torch.no_grad():
        text = model.text_projection(model.text_model(ids)[0])
        image = model.visual_projection(model.vision_model(pixels)[0])
        tn, im = text / text.norm(dim=-1, keepdim=True), image / image.norm(dim=-1, keepdim=True)
        probs = torch.softmax(model.logit_scale.exp() * im @ tn.t(), dim=-1)
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"prompts": prompts, "input_ids": ids.tolist(), "images_hwc_u8": images_u8.flatten().tolist(),
                   "text_embeds": text.tolist(), "image_embeds": image.tolist(), "probs": probs.tolist(),
                   "logit_scale": LOGIT_SCALE}, f)
    print("probabilities", probs.tolist())


if __name__ == "__main__":
    main()
