"""Batched RandomResizedCrop + horizontal flip, the view family TPT uses at test time.

Crops are sampled as torchvision samples them (area fraction ~ U(scale), log aspect ratio ~ U(log ratio),
up to 10 tries, else the whole image) and resampled bilinearly to the input size with one affine grid per
image, so a whole batch is augmented in a single grid_sample call.
"""

import math

import torch
import torch.nn.functional as F

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def sample_crop_boxes(n, scale, ratio, generator, tries=10):
    """Width/height fractions and top-left corners, each [n]."""
    area = torch.empty(n, tries).uniform_(scale[0], scale[1], generator=generator)
    log_r = torch.empty(n, tries).uniform_(math.log(ratio[0]), math.log(ratio[1]), generator=generator)
    r = log_r.exp()
    w = (area * r).sqrt()
    h = (area / r).sqrt()
    valid = (w <= 1) & (h <= 1)
    first = torch.where(valid.any(1), valid.float().argmax(1), torch.full((n,), -1))
    pick = first.clamp(min=0).unsqueeze(1)
    w = torch.where(first >= 0, w.gather(1, pick).squeeze(1), torch.ones(n))
    h = torch.where(first >= 0, h.gather(1, pick).squeeze(1), torch.ones(n))
    x0 = torch.rand(n, generator=generator) * (1 - w)
    y0 = torch.rand(n, generator=generator) * (1 - h)
    return w, h, x0, y0


def random_resized_crop(images, scale, ratio=(3 / 4, 4 / 3), flip_p=0.5, apply_p=1.0, generator=None):
    """images [N,C,H,W] float -> augmented [N,C,H,W]; a fraction 1-apply_p of images is left uncropped."""
    n = images.shape[0]
    w, h, x0, y0 = sample_crop_boxes(n, scale, ratio, generator)
    keep = torch.rand(n, generator=generator) >= apply_p
    w = torch.where(keep, torch.ones(n), w)
    h = torch.where(keep, torch.ones(n), h)
    x0 = torch.where(keep, torch.zeros(n), x0)
    y0 = torch.where(keep, torch.zeros(n), y0)
    flip = torch.where(torch.rand(n, generator=generator) < flip_p, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = w * flip
    theta[:, 0, 2] = 2 * x0 + w - 1
    theta[:, 1, 1] = h
    theta[:, 1, 2] = 2 * y0 + h - 1
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)


def to_pixel_values(gray):
    """Grayscale in [0,1], [N,1,H,W] -> CLIP-normalised RGB [N,3,H,W] (what the caller feeds the ONNX tower)."""
    mean = torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD).view(1, 3, 1, 1)
    return (gray.expand(-1, 3, -1, -1) - mean) / std
