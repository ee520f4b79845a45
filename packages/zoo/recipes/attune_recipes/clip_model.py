"""mini-CLIP: a small CNN image tower and a CLIP-style text transformer.

Written with plain ops (Linear, Conv, LayerNorm, MatMul, Softmax, Erf-GELU) so the ONNX graphs stay within
the op set attune's tfjs executor runs. Text pooling uses a one-hot matmul at the EOT position instead of
advanced indexing, which would export as GatherND/ScatterND.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

LOGIT_SCALE_MAX = math.log(100.0)  # CLIP clamps exp(logit_scale) at 100
MASK_VALUE = -1e9  # finite "minus infinity": exp() underflows to 0 and no inf*0 NaNs appear in gradients


def conv_bn_relu(c_in, c_out, stride):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class ConvImageEncoder(nn.Module):
    """[N,3,28,28] normalised pixels -> [N,D] projected image embedding (not normalised)."""

    def __init__(self, widths, projection_dim):
        super().__init__()
        layers, c_in = [], 3
        for width, stride in widths:
            layers.append(conv_bn_relu(c_in, width, stride))
            c_in = width
        self.features = nn.Sequential(*layers)
        self.projection = nn.Linear(c_in, projection_dim)

    def forward(self, pixel_values):
        x = self.features(pixel_values)
        return self.projection(x.mean(dim=(2, 3)))


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = width // heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def split_heads(self, x):
        n, length, _ = x.shape
        return x.reshape(n, length, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, mask):
        n, length, width = x.shape
        q = self.split_heads(self.q_proj(x)) * (self.head_dim**-0.5)
        k = self.split_heads(self.k_proj(x))
        v = self.split_heads(self.v_proj(x))
        attn = torch.softmax(q @ k.transpose(-1, -2) + mask, dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(n, length, width)
        return self.out_proj(out)


class Block(nn.Module):
    """Pre-LN transformer block as in CLIP."""

    def __init__(self, width, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x, mask):
        x = x + self.attn(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


class TextEncoder(nn.Module):
    def __init__(self, vocab_size, context_length, width, layers, heads, projection_dim):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.positional_embedding = nn.Parameter(torch.randn(context_length, width) * 0.01)
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.randn(width, projection_dim) * width**-0.5)
        causal = torch.full((context_length, context_length), MASK_VALUE).triu(1)
        self.register_buffer("causal_mask", causal, persistent=False)
        self.register_buffer("positions", torch.arange(context_length), persistent=False)
        nn.init.normal_(self.token_embedding.weight, std=0.02)

    def encode_embeds(self, inputs_embeds, eot_index):
        """Token embeddings [N,L,W] + EOT position [N] -> [N,D]. Positional embeddings are added here."""
        length = inputs_embeds.shape[1]
        x = inputs_embeds + self.positional_embedding[:length]
        mask = self.causal_mask[:length, :length]
        for block in self.blocks:
            x = block(x, mask)
        x = self.ln_final(x)
        one_hot = (self.positions[:length].unsqueeze(0) == eot_index.unsqueeze(1)).to(x.dtype)
        pooled = (one_hot.unsqueeze(1) @ x).squeeze(1)
        return pooled @ self.text_projection

    def forward(self, input_ids):
        # The EOT token has the largest id, so argmax finds it (Hugging Face CLIP convention).
        return self.encode_embeds(self.token_embedding(input_ids), input_ids.argmax(dim=-1))


class MiniClip(nn.Module):
    def __init__(self, vocab_size, context_length, width, layers, heads, projection_dim, image_widths):
        super().__init__()
        self.vision = ConvImageEncoder(image_widths, projection_dim)
        self.text = TextEncoder(vocab_size, context_length, width, layers, heads, projection_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def scale(self):
        return self.logit_scale.clamp(max=LOGIT_SCALE_MAX).exp()


# ---- thin wrappers with the exported signatures -------------------------------------------------------


class VisionExport(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.vision = model.vision

    def forward(self, pixel_values):
        return self.vision(pixel_values)


class TextIdsExport(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.text = model.text

    def forward(self, input_ids):
        return self.text(input_ids)


class TextEmbedsExport(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.text = model.text

    def forward(self, inputs_embeds, eot_index):
        return self.text.encode_embeds(inputs_embeds, eot_index)


class TokenEmbeddingExport(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.token_embedding = model.text.token_embedding

    def forward(self, input_ids):
        return self.token_embedding(input_ids)
