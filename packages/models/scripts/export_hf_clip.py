"""Export a CLIP checkpoint in Hugging Face transformers' CLIPModel naming to the folder layout attune reads.

    /usr/bin/python3 packages/models/scripts/export_hf_clip.py --model <hf-folder> --out <dir>
    /usr/bin/python3 packages/models/scripts/export_hf_clip.py --random --config <config.json> \
        --tokenizer <tokenizer.json> --out <dir> [--seed 0] [--layout towers|combined]

<hf-folder> is what `CLIPModel.save_pretrained` / the Hub holds: config.json, pytorch_model.bin (a torch state
dict; safetensors needs the `safetensors` package), tokenizer.json (+ tokenizer_config.json) and
preprocessor_config.json. transformers is not needed: the modules below are plain torch with the same
parameter names as transformers' CLIPModel (text_model.*, vision_model.*, text_projection, visual_projection,
logit_scale), so the state dict loads with strict=True.

What it writes (layout "towers", the default):
    config.json               the checkpoint's config plus `logit_scale`: the *trained* value from the weights
                              (Hugging Face configs hold only logit_scale_init_value, the untrained start)
    tokenizer.json, tokenizer_config.json, preprocessor_config.json   copied
    onnx/vision_model.onnx    pixel_values [N,3,S,S] -> image_embeds [N,D] (and last_hidden_state)
    onnx/text_model.onnx      input_ids [N,L] -> text_embeds [N,D] (and last_hidden_state); pooling as
                              transformers does it: argmax of the ids when eos_token_id == 2 (legacy configs),
                              else the first eos token
    onnx/text_model_embeds.onnx  inputs_embeds [N,L,W] (token embeddings, positions are added inside),
                              eot_index [N] -> text_embeds: the entry point prompt tuning differentiates
    onnx/token_embedding.onnx input_ids -> inputs_embeds
Layout "combined" writes one onnx/model.onnx instead (input_ids, pixel_values, attention_mask ->
logits_per_image, logits_per_text, text_embeds, image_embeds), as Optimum exports CLIPModel; attune cuts the
towers and the embeds entry point out of it by graph surgery.

Export-friendly forms that compute the same numbers as transformers: the causal mask is a constant sliced to
the sequence length (not built with Trilu), and the pooled row is taken with torch.gather (GatherElements,
which attune's gradient graphs support) instead of advanced indexing.
"""

import argparse
import json
import math
import os
import shutil

import torch
import torch.nn as nn

torch.set_num_threads(1)
OPSET = 17


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


ACTIVATIONS = {
    "quick_gelu": quick_gelu,
    "gelu": nn.functional.gelu,
    "gelu_new": lambda x: nn.functional.gelu(x, approximate="tanh"),
}


class CLIPAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.scale = self.head_dim**-0.5
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.q_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, mask):
        n, length, width = x.shape
        split = lambda t: t.reshape(n, length, self.heads, self.head_dim).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q_proj(x) * self.scale), split(self.k_proj(x)), split(self.v_proj(x))
        scores = q @ k.transpose(-1, -2)
        if mask is not None:
            scores = scores + mask
        out = torch.softmax(scores, dim=-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(n, length, width))


class CLIPMLP(nn.Module):
    def __init__(self, width, inner, act):
        super().__init__()
        self.fc1, self.fc2, self.act = nn.Linear(width, inner), nn.Linear(inner, width), ACTIVATIONS[act]

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class CLIPEncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        width, eps = c["hidden_size"], c.get("layer_norm_eps", 1e-5)
        self.self_attn = CLIPAttention(width, c["num_attention_heads"])
        self.layer_norm1 = nn.LayerNorm(width, eps=eps)
        self.mlp = CLIPMLP(width, c["intermediate_size"], c.get("hidden_act", "quick_gelu"))
        self.layer_norm2 = nn.LayerNorm(width, eps=eps)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class CLIPEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList([CLIPEncoderLayer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, mask=None):
        for layer in self.layers:
            x = layer(x, mask)
        return x


class CLIPTextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embedding = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])


class CLIPTextTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = CLIPTextEmbeddings(c)
        self.encoder = CLIPEncoder(c)
        self.final_layer_norm = nn.LayerNorm(c["hidden_size"], eps=c.get("layer_norm_eps", 1e-5))
        self.eos_token_id = c.get("eos_token_id", 2)
        L = c["max_position_embeddings"]
        # transformers' causal mask: finfo.min above the diagonal (a constant here, sliced to the length).
        mask = torch.full((L, L), torch.finfo(torch.float32).min).triu(1)
        self.register_buffer("causal_mask", mask, persistent=False)

    def pooling_index(self, input_ids):
        ids = input_ids.to(torch.int32)
        if self.eos_token_id == 2:
            # Legacy configs (eos_token_id 2, e.g. openai/clip-vit-base-patch32): the end token has the largest id.
            return ids.argmax(dim=-1)
        return (ids == self.eos_token_id).to(torch.int32).argmax(dim=-1)

    def from_embeds(self, inputs_embeds, eot_index):
        length = inputs_embeds.shape[1]
        x = inputs_embeds + self.embeddings.position_embedding.weight[:length]
        x = self.encoder(x, self.causal_mask[:length, :length])
        x = self.final_layer_norm(x)
        index = eot_index.to(torch.int64).reshape(-1, 1, 1).expand(-1, 1, x.shape[2])
        return torch.gather(x, 1, index)[:, 0, :], x  # [:, 0] not squeeze(1): no If node on a dynamic dim

    def forward(self, input_ids):
        return self.from_embeds(self.embeddings.token_embedding(input_ids), self.pooling_index(input_ids))


class CLIPVisionEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        width, patch, size = c["hidden_size"], c["patch_size"], c["image_size"]
        self.class_embedding = nn.Parameter(torch.randn(width))
        self.patch_embedding = nn.Conv2d(c.get("num_channels", 3), width, patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((size // patch) ** 2 + 1, width)

    def forward(self, pixel_values):
        patches = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.reshape(1, 1, -1).expand(patches.shape[0], 1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding.weight


class CLIPVisionTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        eps = c.get("layer_norm_eps", 1e-5)
        self.embeddings = CLIPVisionEmbeddings(c)
        self.pre_layrnorm = nn.LayerNorm(c["hidden_size"], eps=eps)  # sic: transformers' name
        self.encoder = CLIPEncoder(c)
        self.post_layernorm = nn.LayerNorm(c["hidden_size"], eps=eps)

    def forward(self, pixel_values):
        x = self.encoder(self.pre_layrnorm(self.embeddings(pixel_values)))
        return self.post_layernorm(x[:, 0, :]), x


class CLIPModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        t, v = config["text_config"], config["vision_config"]
        self.text_model = CLIPTextTransformer(t)
        self.vision_model = CLIPVisionTransformer(v)
        dim = config.get("projection_dim", 512)
        self.visual_projection = nn.Linear(v["hidden_size"], dim, bias=False)
        self.text_projection = nn.Linear(t["hidden_size"], dim, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(config.get("logit_scale_init_value", 2.6592)))

    def forward(self, input_ids, pixel_values, attention_mask):
        """As Optimum exports CLIPModel: both towers, normalised embeddings and the scaled logits."""
        del attention_mask  # CLIP's causal mask already hides what follows the end token from the pooled row
        text = self.text_projection(self.text_model(input_ids)[0])
        image = self.visual_projection(self.vision_model(pixel_values)[0])
        text = text / text.norm(dim=-1, keepdim=True)
        image = image / image.norm(dim=-1, keepdim=True)
        logits_per_text = self.logit_scale.exp() * text @ image.t()
        return logits_per_text.t(), logits_per_text, text, image


class TextTower(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        pooled, hidden = self.m.text_model(input_ids)
        return self.m.text_projection(pooled), hidden


class TextEmbedsTower(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, inputs_embeds, eot_index):
        pooled, _ = self.m.text_model.from_embeds(inputs_embeds, eot_index)
        return self.m.text_projection(pooled)


class TokenEmbedding(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        return self.m.text_model.embeddings.token_embedding(input_ids)


class VisionTower(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values):
        pooled, hidden = self.m.vision_model(pixel_values)
        return self.m.visual_projection(pooled), hidden


def load_state_dict(folder):
    bin_path = os.path.join(folder, "pytorch_model.bin")
    if os.path.exists(bin_path):
        return torch.load(bin_path, map_location="cpu")
    st_path = os.path.join(folder, "model.safetensors")
    if os.path.exists(st_path):
        from safetensors.torch import load_file  # noqa: PLC0415 (optional dependency)

        return load_file(st_path)
    raise SystemExit(f"{folder}: expected pytorch_model.bin or model.safetensors (a CLIPModel state dict)")


def export(module, args, path, input_names, output_names, dynamic_axes):
    with torch.no_grad():
        torch.onnx.export(
            module,
            args,
            path,
            input_names=input_names,
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=True,
        )
    # Declare every value's shape (value_info): attune's gradient graphs need static ranks.
    import onnx  # noqa: PLC0415 (python3-onnx; torch.onnx needs it anyway)

    onnx.save(onnx.shape_inference.infer_shapes(onnx.load(path)), path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", help="a Hugging Face CLIP folder (config.json, pytorch_model.bin, tokenizer.json)")
    p.add_argument("--random", action="store_true", help="random weights (tests), sizes from --config")
    p.add_argument("--config", help="config.json for --random")
    p.add_argument("--tokenizer", help="tokenizer.json for --random")
    p.add_argument("--preprocessor", help="preprocessor_config.json for --random (optional)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--logit-scale", type=float, help="--random: the trained logit scale (natural log)")
    p.add_argument("--layout", choices=["towers", "combined"], default="towers")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if bool(a.model) == bool(a.random):
        raise SystemExit("pass exactly one of --model <hf-folder> and --random")

    src = a.model
    config_path = os.path.join(src, "config.json") if src else a.config
    tokenizer_path = os.path.join(src, "tokenizer.json") if src else a.tokenizer
    if not config_path or not tokenizer_path:
        raise SystemExit("--random needs --config and --tokenizer")
    with open(config_path) as f:
        config = json.load(f)
    torch.manual_seed(a.seed)
    model = CLIPModel(config).eval()
    if src:
        state = load_state_dict(src)
        state.pop("text_model.embeddings.position_ids", None)  # a buffer older transformers saved
        state.pop("vision_model.embeddings.position_ids", None)
        model.load_state_dict(state, strict=True)
    elif a.logit_scale is not None:
        model.logit_scale.data.fill_(a.logit_scale)

    out = a.out
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    config = dict(config)
    config["logit_scale"] = float(model.logit_scale.item())
    config["logit_scale_note"] = "trained value from the checkpoint's weights (export_hf_clip.py)"
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    shutil.copyfile(tokenizer_path, os.path.join(out, "tokenizer.json"))
    for name, given in [("tokenizer_config.json", None), ("preprocessor_config.json", a.preprocessor)]:
        source = os.path.join(src, name) if src else (given or os.path.join(os.path.dirname(tokenizer_path), name))
        if source and os.path.exists(source):
            shutil.copyfile(source, os.path.join(out, name))

    t, v = config["text_config"], config["vision_config"]
    L, S = t["max_position_embeddings"], v["image_size"]
    ids = torch.randint(0, t["vocab_size"], (2, L))
    pixels = torch.randn(2, v.get("num_channels", 3), S, S)
    batch = {0: "batch"}
    seq = {0: "batch", 1: "sequence"}
    onnx_dir = os.path.join(out, "onnx")
    if a.layout == "combined":
        export(
            model,
            (ids, pixels, torch.ones_like(ids)),
            os.path.join(onnx_dir, "model.onnx"),
            ["input_ids", "pixel_values", "attention_mask"],
            ["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"],
            {
                "input_ids": seq,
                "attention_mask": seq,
                "pixel_values": batch,
                "logits_per_image": {0: "image_batch", 1: "text_batch"},
                "logits_per_text": {0: "text_batch", 1: "image_batch"},
                "text_embeds": batch,
                "image_embeds": batch,
            },
        )
    else:
        export(VisionTower(model), (pixels,), os.path.join(onnx_dir, "vision_model.onnx"), ["pixel_values"],
               ["image_embeds", "last_hidden_state"], {"pixel_values": batch, "image_embeds": batch})
        export(TextTower(model), (ids,), os.path.join(onnx_dir, "text_model.onnx"), ["input_ids"],
               ["text_embeds", "last_hidden_state"], {"input_ids": seq, "text_embeds": batch, "last_hidden_state": seq})
        embeds = model.text_model.embeddings.token_embedding(ids)
        export(TextEmbedsTower(model), (embeds, torch.tensor([L - 1, 3])), os.path.join(onnx_dir, "text_model_embeds.onnx"),
               ["inputs_embeds", "eot_index"], ["text_embeds"],
               {"inputs_embeds": seq, "eot_index": batch, "text_embeds": batch})
        export(TokenEmbedding(model), (ids,), os.path.join(onnx_dir, "token_embedding.onnx"), ["input_ids"],
               ["inputs_embeds"], {"input_ids": seq, "inputs_embeds": seq})
    print(f"wrote {out} ({a.layout}; logit scale exp = {math.exp(config['logit_scale']):.3f})")
    return model


if __name__ == "__main__":
    main()
