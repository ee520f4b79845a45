"""A small conditional U-Net denoiser for 28x28 grayscale DDPM.

Normalisation is GroupNorm written with reshape/mean (nn.GroupNorm exports via InstanceNormalization);
upsampling is a stride-2 transposed convolution; SiLU exports as Sigmoid * x. The timestep arrives as a
float tensor [N] (integer values 0..T-1) and the condition as [N,D] (zeros = unconditional).
"""

import math

import torch
import torch.nn as nn


class GroupNorm(nn.Module):
    def __init__(self, groups, channels, eps=1e-5):
        super().__init__()
        self.groups = groups
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        n, c, h, w = x.shape
        g = x.reshape(n, self.groups, -1)
        mean = g.mean(dim=-1, keepdim=True)
        centred = g - mean
        var = (centred * centred).mean(dim=-1, keepdim=True)
        g = centred / torch.sqrt(var + self.eps)
        return g.reshape(n, c, h, w) * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


def silu(x):
    return x * torch.sigmoid(x)


class ResBlock(nn.Module):
    """Pre-activation residual block; the embedding modulates it FiLM-style (scale and shift after norm2)."""

    def __init__(self, c_in, c_out, emb_dim, groups=8):
        super().__init__()
        self.c_out = c_out
        self.norm1 = GroupNorm(groups, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, 2 * c_out)
        self.norm2 = GroupNorm(groups, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x, emb):
        h = self.conv1(silu(self.norm1(x)))
        film = self.emb(silu(emb)).unsqueeze(-1).unsqueeze(-1)
        scale, shift = film[:, : self.c_out], film[:, self.c_out :]
        h = self.conv2(silu(self.norm2(h) * (1 + scale) + shift))
        return self.skip(x) + h


class TimestepEmbedding(nn.Module):
    def __init__(self, dim, emb_dim):
        super().__init__()
        half = dim // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
        self.register_buffer("freqs", freqs, persistent=False)
        self.mlp = nn.Sequential(nn.Linear(dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))

    def forward(self, t):
        args = t.unsqueeze(1) * self.freqs.unsqueeze(0)
        return self.mlp(torch.cat([torch.sin(args), torch.cos(args)], dim=1))


class ConditionalUNet(nn.Module):
    """x_t [N,1,28,28], t [N] float, cond [N,D] -> predicted noise [N,1,28,28]."""

    def __init__(self, cond_dim, channels=(32, 48, 64), emb_dim=128, time_dim=64):
        super().__init__()
        c1, c2, c3 = channels
        self.time = TimestepEmbedding(time_dim, emb_dim)
        self.cond = nn.Linear(cond_dim, emb_dim)
        # The condition also enters as an image-sized map next to x_t: a spatial path from the embedding
        # to the layout, which the global (FiLM) path alone learns too slowly in a short CPU run.
        self.cond_map = nn.Linear(cond_dim, 28 * 28)
        self.conv_in = nn.Conv2d(2, c1, 3, padding=1)
        self.down1 = ResBlock(c1, c1, emb_dim)  # 28x28
        self.pool1 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)  # -> 14x14
        self.down2 = ResBlock(c2, c2, emb_dim)
        self.pool2 = nn.Conv2d(c2, c3, 3, stride=2, padding=1)  # -> 7x7
        self.mid = ResBlock(c3, c3, emb_dim)
        self.up2 = nn.ConvTranspose2d(c3, c2, 4, stride=2, padding=1)  # -> 14x14
        self.dec2 = ResBlock(2 * c2, c2, emb_dim)
        self.up1 = nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1)  # -> 28x28
        self.dec1 = ResBlock(2 * c1, c1, emb_dim)
        self.norm_out = GroupNorm(8, c1)
        self.conv_out = nn.Conv2d(c1, 1, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, x_t, t, cond):
        emb = self.time(t) + self.cond(cond)
        cond_map = self.cond_map(cond).reshape(-1, 1, 28, 28)
        h1 = self.down1(self.conv_in(torch.cat([x_t, cond_map], dim=1)), emb)
        h2 = self.down2(self.pool1(h1), emb)
        h = self.mid(self.pool2(h2), emb)
        h = self.dec2(torch.cat([self.up2(h), h2], dim=1), emb)
        h = self.dec1(torch.cat([self.up1(h), h1], dim=1), emb)
        return self.conv_out(silu(self.norm_out(h)))
