"""Exports the small, architecture-shaped ONNX fixtures the parity and gradient tests run.

Run with Debian's torch (the `python3` first on PATH does not see it):
    /usr/bin/python3 packages/backend-tfjs/scripts/make_fixtures.py

Weights are random under a fixed seed: the fixtures test that the tfjs executor computes the same function
as onnxruntime, not what the function has learned. Each model mirrors the export of the real architecture it
stands for (Hugging Face CLIP text tower, GPT-2 with KV cache, a ResNet-like conv stem, a ViT block), at a
width that keeps every file well under 1 MB.
"""

import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def export(model, args, name, input_names, output_names, dynamic_axes, opset):
    path = os.path.join(FIXTURES, name)
    model.eval()
    with torch.no_grad():
        torch.onnx.export(
            model,
            args,
            path,
            input_names=input_names,
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=opset,
            do_constant_folding=True,
        )
    print(f"wrote {name} ({os.path.getsize(path)} bytes, opset {opset})")


# --- CLIP-style text encoder ---------------------------------------------------------------------------


class ClipAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = width // heads
        self.scale = self.head_dim**-0.5
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, causal_mask):
        n, s, w = x.shape
        q = self.q_proj(x) * self.scale
        k = self.k_proj(x)
        v = self.v_proj(x)

        def split_heads(t):
            return t.view(n, s, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = split_heads(q), split_heads(k), split_heads(v)
        weights = torch.matmul(q, k.transpose(-1, -2)) + causal_mask
        weights = weights.softmax(dim=-1)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(n, s, w)
        return self.out_proj(out)


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class ClipBlock(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(width)
        self.self_attn = ClipAttention(width, heads)
        self.layer_norm2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, 4 * width)
        self.fc2 = nn.Linear(4 * width, width)

    def forward(self, x, causal_mask):
        x = x + self.self_attn(self.layer_norm1(x), causal_mask)
        return x + self.fc2(quick_gelu(self.fc1(self.layer_norm2(x))))


class ClipTextTower(nn.Module):
    """Hugging Face CLIPTextModelWithProjection, shrunk: causal pre-LN transformer, EOT pooling, projection."""

    def __init__(self, vocab=64, context=16, width=32, heads=4, layers=2, proj=24):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(context, width)
        self.register_buffer("position_ids", torch.arange(context).unsqueeze(0))
        self.blocks = nn.ModuleList([ClipBlock(width, heads) for _ in range(layers)])
        self.final_layer_norm = nn.LayerNorm(width)
        self.text_projection = nn.Linear(width, proj, bias=False)

    def encode(self, embeds, eot_index):
        n, s, _ = embeds.shape
        x = embeds + self.position_embedding(self.position_ids[:, :s])
        # Upper-triangular -inf mask built from the dynamic sequence length, as HF does.
        causal_mask = torch.full((s, s), float("-inf")).triu(1)[None, None]
        for block in self.blocks:
            x = block(x, causal_mask)
        x = self.final_layer_norm(x)
        pooled = x[torch.arange(n), eot_index]
        return self.text_projection(pooled), x


class ClipTextFromIds(nn.Module):
    def __init__(self, tower):
        super().__init__()
        self.tower = tower

    def forward(self, input_ids):
        # CLIP's EOT token has the largest id, so argmax finds the EOT position.
        return self.tower.encode(self.tower.token_embedding(input_ids), input_ids.argmax(dim=-1))


class ClipTextFromEmbeds(nn.Module):
    def __init__(self, tower):
        super().__init__()
        self.tower = tower

    def forward(self, inputs_embeds, eot_index):
        return self.tower.encode(inputs_embeds, eot_index)


def make_clip_text():
    torch.manual_seed(0)
    tower = ClipTextTower()
    ids = torch.tensor([[62, 5, 9, 63, 0, 0, 0], [62, 7, 8, 11, 12, 63, 0]])
    export(
        ClipTextFromIds(tower),
        (ids,),
        "clip_text_ids.onnx",
        ["input_ids"],
        ["text_embeds", "last_hidden_state"],
        {"input_ids": {0: "batch", 1: "sequence"}, "text_embeds": {0: "batch"},
         "last_hidden_state": {0: "batch", 1: "sequence"}},
        17,
    )
    embeds = tower.token_embedding(ids).detach()
    export(
        ClipTextFromEmbeds(tower),
        (embeds, ids.argmax(dim=-1)),
        "clip_text_embeds.onnx",
        ["inputs_embeds", "eot_index"],
        ["text_embeds", "last_hidden_state"],
        {"inputs_embeds": {0: "batch", 1: "sequence"}, "eot_index": {0: "batch"}, "text_embeds": {0: "batch"},
         "last_hidden_state": {0: "batch", 1: "sequence"}},
        17,
    )


# --- GPT-2-style decoder with KV cache -----------------------------------------------------------------


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Gpt2Attention(nn.Module):
    def __init__(self, width, heads, context):
        super().__init__()
        self.heads = heads
        self.head_dim = width // heads
        self.c_attn = nn.Linear(width, 3 * width)
        self.c_proj = nn.Linear(width, width)
        self.register_buffer("bias", torch.tril(torch.ones(context, context, dtype=torch.bool))[None, None])

    def forward(self, x, past_key, past_value, attention_bias):
        b, s, w = x.shape
        q, k, v = self.c_attn(x).split(w, dim=2)

        def split_heads(t):
            return t.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

        q, k, v = split_heads(q), split_heads(k), split_heads(v)
        k = torch.cat((past_key, k), dim=-2)
        v = torch.cat((past_value, v), dim=-2)
        weights = torch.matmul(q, k.transpose(-1, -2)) / torch.full([], v.size(-1) ** 0.5)
        query_length, key_length = q.size(-2), k.size(-2)
        causal = self.bias[:, :, key_length - query_length : key_length, :key_length]
        mask_value = torch.full([], torch.finfo(weights.dtype).min)
        weights = torch.where(causal, weights, mask_value) + attention_bias
        weights = F.softmax(weights, dim=-1)
        out = torch.matmul(weights, v).permute(0, 2, 1, 3).reshape(b, s, w)
        return self.c_proj(out), k, v


class Gpt2Block(nn.Module):
    def __init__(self, width, heads, context):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = Gpt2Attention(width, heads, context)
        self.ln_2 = nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width)
        self.c_proj = nn.Linear(4 * width, width)

    def forward(self, x, past_key, past_value, attention_bias):
        attn, k, v = self.attn(self.ln_1(x), past_key, past_value, attention_bias)
        x = x + attn
        return x + self.c_proj(gelu_new(self.c_fc(self.ln_2(x)))), k, v


class Gpt2Decoder(nn.Module):
    def __init__(self, vocab=80, context=32, width=32, heads=4, layers=2):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.h = nn.ModuleList([Gpt2Block(width, heads, context) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def decode(self, embeds, attention_mask, position_ids, past):
        x = embeds + self.wpe(position_ids)
        # HF: padding positions get the most negative finite value added before softmax.
        attention_bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        presents = []
        for i, block in enumerate(self.h):
            x, k, v = block(x, past[2 * i], past[2 * i + 1], attention_bias)
            presents += [k, v]
        return (self.lm_head(self.ln_f(x)), *presents)


class Gpt2FromIds(nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, input_ids, attention_mask, position_ids, *past):
        return self.decoder.decode(self.decoder.wte(input_ids), attention_mask, position_ids, past)


class Gpt2FromEmbeds(nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        return self.decoder.decode(inputs_embeds, attention_mask, position_ids, past)


def make_gpt2():
    torch.manual_seed(1)
    decoder = Gpt2Decoder()
    layers, heads, head_dim = 2, 4, 8
    batch, seq, past_len = 2, 3, 4
    ids = torch.randint(0, 80, (batch, seq))
    mask = torch.ones(batch, past_len + seq, dtype=torch.long)
    positions = torch.arange(past_len, past_len + seq).unsqueeze(0).expand(batch, seq)
    past = [torch.randn(batch, heads, past_len, head_dim) for _ in range(2 * layers)]
    past_names = [f"past_key_values.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    axes = {"attention_mask": {0: "batch", 1: "total_sequence"}, "position_ids": {0: "batch", 1: "sequence"},
            "logits": {0: "batch", 1: "sequence"}}
    for name in past_names:
        axes[name] = {0: "batch", 2: "past_sequence"}
    for name in present_names:
        axes[name] = {0: "batch", 2: "total_sequence"}
    export(
        Gpt2FromIds(decoder),
        (ids, mask, positions, *past),
        "gpt2_lm_ids.onnx",
        ["input_ids", "attention_mask", "position_ids", *past_names],
        ["logits", *present_names],
        {**axes, "input_ids": {0: "batch", 1: "sequence"}},
        14,
    )
    export(
        Gpt2FromEmbeds(decoder),
        (decoder.wte(ids).detach(), mask, positions, *past),
        "gpt2_lm_embeds.onnx",
        ["inputs_embeds", "attention_mask", "position_ids", *past_names],
        ["logits", *present_names],
        {**axes, "inputs_embeds": {0: "batch", 1: "sequence"}},
        14,
    )


# --- image towers --------------------------------------------------------------------------------------


class ConvTower(nn.Module):
    """A ResNet-like stem: strided padded conv, BatchNorm, pooling, grouped/dilated/depthwise convs, Gemm head."""

    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, kernel_size=3, stride=2, padding=1)
        # BatchNorm after the ReLU so export keeps it as a BatchNormalization node (not fused into the conv).
        self.bn1 = nn.BatchNorm2d(8)
        self.grouped = nn.Conv2d(8, 16, kernel_size=3, padding=2, dilation=2, groups=2)
        self.bn2 = nn.BatchNorm2d(16)
        self.depthwise = nn.Conv2d(16, 16, kernel_size=3, padding=1, groups=16, bias=False)
        self.pointwise = nn.Conv2d(16, 16, kernel_size=1)
        self.head = nn.Linear(16, classes)

    def forward(self, pixel_values):
        x = self.bn1(F.relu(self.stem(pixel_values)))
        x = F.max_pool2d(x, kernel_size=3, stride=2, padding=1)
        x = self.bn2(F.relu(self.grouped(x)))
        x = F.avg_pool2d(x, kernel_size=2, stride=2)
        x = self.pointwise(F.relu(self.depthwise(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.head(x)


def make_conv_tower():
    torch.manual_seed(2)
    model = ConvTower()
    # Give BatchNorm non-trivial running statistics, as a trained model would have.
    for bn in (model.bn1, model.bn2):
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
        bn.weight.data.uniform_(0.5, 1.5)
        bn.bias.data.uniform_(-0.2, 0.2)
    export(model, (torch.randn(2, 3, 32, 32),), "conv_tower.onnx", ["pixel_values"], ["logits"],
           {"pixel_values": {0: "batch"}, "logits": {0: "batch"}}, 16)


class VitBlock(nn.Module):
    """ViT front end and one encoder block: patch conv, class token, position embedding, MHA, erf-GELU MLP."""

    def __init__(self, image=32, patch=8, width=32, heads=4, classes=10):
        super().__init__()
        self.heads = heads
        self.patch_embed = nn.Conv2d(3, width, kernel_size=patch, stride=patch)
        self.class_embedding = nn.Parameter(torch.randn(1, 1, width))
        self.position_embedding = nn.Parameter(torch.randn(1, (image // patch) ** 2 + 1, width) * 0.1)
        self.pre_norm = nn.LayerNorm(width)
        self.ln_1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, 2 * width)
        self.fc2 = nn.Linear(2 * width, width)
        self.post_norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, classes)

    def forward(self, pixel_values):
        x = self.patch_embed(pixel_values).flatten(2).transpose(1, 2)
        b, n, w = x.shape
        x = torch.cat([self.class_embedding.expand(b, -1, -1), x], dim=1) + self.position_embedding
        x = self.pre_norm(x)
        qkv = self.qkv(self.ln_1(x)).reshape(b, n + 1, 3, self.heads, w // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1) * (w // self.heads) ** -0.5).softmax(dim=-1)
        x = x + self.proj((attn @ v).transpose(1, 2).reshape(b, n + 1, w))
        x = x + self.fc2(F.gelu(self.fc1(self.ln_2(x))))
        return self.head(self.post_norm(x[:, 0]))


def make_vit_block():
    torch.manual_seed(3)
    export(VitBlock(), (torch.randn(2, 3, 32, 32),), "vit_block.onnx", ["pixel_values"], ["logits"],
           {"pixel_values": {0: "batch"}, "logits": {0: "batch"}}, 15)


class TinyMlp(nn.Module):
    """A few ops with a dynamic batch (Shape -> Gather -> Concat -> Reshape at run time): the leak test's graph."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)

    def forward(self, x):
        h = F.gelu(self.fc(x))
        return h.reshape(x.shape[0], 2, -1).softmax(dim=-1)


def make_tiny_mlp():
    torch.manual_seed(4)
    export(TinyMlp(), (torch.randn(2, 8),), "tiny_mlp.onnx", ["x"], ["y"], {"x": {0: "batch"}, "y": {0: "batch"}}, 14)


def make_bench_clip_text():
    """A larger CLIP-shaped text tower for bench/backends.ts: 77 tokens, width 64, 4 layers (about 0.8 MB)."""
    torch.manual_seed(5)
    tower = ClipTextTower(vocab=64, context=77, width=64, heads=4, layers=4, proj=64)
    embeds = torch.randn(2, 77, 64) * 0.5
    export(
        ClipTextFromEmbeds(tower),
        (embeds, torch.tensor([10, 76])),
        "bench_clip_text_embeds.onnx",
        ["inputs_embeds", "eot_index"],
        ["text_embeds", "last_hidden_state"],
        {"inputs_embeds": {0: "batch", 1: "sequence"}, "eot_index": {0: "batch"}, "text_embeds": {0: "batch"},
         "last_hidden_state": {0: "batch", 1: "sequence"}},
        17,
    )


if __name__ == "__main__":
    os.makedirs(FIXTURES, exist_ok=True)
    make_clip_text()
    make_gpt2()
    make_conv_tower()
    make_vit_block()
    make_tiny_mlp()
    make_bench_clip_text()
