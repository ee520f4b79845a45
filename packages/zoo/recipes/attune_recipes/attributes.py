"""Per-image caption attributes for zoo:mini-clip-b: what the augmentation did to an image, named in its caption.

Why: with class-only captions every caption of a class must match every image of that class, so the text
tower learns to read only the class word (it ignores the 4 positions TPT tunes) and the in-batch matching
is ambiguous (which caps the loss-optimal logit scale). Here each training image gets attributes that the
augmentation itself produces and that are exactly visible in the image, and its caption names some of
them with adjectives placed around the class word — so the words beside the class carry information the
tower must read, and an image's caption picks it out among its batch.

The attributes are kept apart from the shift suites' renditions (sketch, inverted, stylised, thick, thin,
zoom_out, zoom_in, translate; packages/data/src/renditions/rendition.ts), so those stay shifts:
- ink:    bright (glyph at full intensity) | dim (glyph at 0.6)        — uniform, never textured
- page:   unshaded (black page)            | shaded (uniform 0.3 grey page, glyph stays lighter)
- tilt:   upright | leftward (rotated 15-30 deg counter-clockwise) | rightward (clockwise)
- mark:   plain | framed (1-pixel box on the image border) | underlined (a bar under the glyph)
The first value of each is what an untouched test image shows.
"""

import math

import torch
import torch.nn.functional as F

ATTRIBUTES = [
    ("ink", ["bright", "dim"]),
    ("page", ["unshaded", "shaded"]),
    ("tilt", ["upright", "leftward", "rightward"]),
    ("mark", ["plain", "framed", "underlined"]),
]
WORDS = [w for _, values in ATTRIBUTES for w in values]
DIM_INK = 0.6
SHADED_PAGE = 0.3
TILT_DEGREES = (15.0, 30.0)

# Where the adjectives go: before "photo" (where TPT's 4 context tokens sit), right before the class, or
# bare. Each template holds {a} (the adjectives, in random order) and {c} (the class name).
ATTRIBUTE_TEMPLATES = [
    "a {a} photo of a {c}.",
    "a photo of a {a} {c}.",
    "a {a} {c}.",
    "an image of a {a} {c}.",
    "a {a} drawing of a {c}.",
]


def sample_attributes(n, changed_p, generator):
    """[n, len(ATTRIBUTES)] value indices; each attribute leaves its default (0) with probability changed_p."""
    columns = []
    for _, values in ATTRIBUTES:
        changed = torch.rand(n, generator=generator) < changed_p
        other = torch.randint(1, len(values), (n,), generator=generator)
        columns.append(torch.where(changed, other, torch.zeros(n, dtype=torch.long)))
    return torch.stack(columns, dim=1)


def render(gray, attrs, generator):
    """Apply the attributes to grayscale images [N,1,28,28] in [0,1] (glyph light on a dark page)."""
    n = gray.shape[0]
    tilt = attrs[:, 2]
    angle = torch.empty(n).uniform_(*TILT_DEGREES, generator=generator) * math.pi / 180
    # Sampling grid maps output to input; a counter-clockwise picture rotation samples at +angle in the
    # grid's y-down coordinates.
    angle = torch.where(tilt == 1, angle, torch.where(tilt == 2, -angle, torch.zeros(n)))
    if bool((tilt != 0).any()):
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0] = angle.cos()
        theta[:, 0, 1] = -angle.sin()
        theta[:, 1, 0] = angle.sin()
        theta[:, 1, 1] = angle.cos()
        grid = F.affine_grid(theta, list(gray.shape), align_corners=False)
        gray = F.grid_sample(gray, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    gray = gray.clone()
    mark = attrs[:, 3]
    framed = mark == 1
    if bool(framed.any()):
        box = torch.zeros_like(gray[0])
        box[:, 0, :] = box[:, -1, :] = box[:, :, 0] = box[:, :, -1] = 1.0
        gray[framed] = torch.maximum(gray[framed], box)
    under = mark == 2
    if bool(under.any()):
        bar = torch.zeros_like(gray[0])
        bar[:, 25:27, 6:22] = 1.0
        gray[under] = torch.maximum(gray[under], bar)
    ink = torch.where(attrs[:, 0] == 1, DIM_INK, 1.0).view(n, 1, 1, 1)
    page = torch.where(attrs[:, 1] == 1, SHADED_PAGE, 0.0).view(n, 1, 1, 1)
    return page + (ink - page) * gray


def caption(class_name, attrs_row, mentioned_row, generator):
    """A caption naming the mentioned attributes as adjectives in a random order, in a random template."""
    words = [ATTRIBUTES[a][1][int(attrs_row[a])] for a in range(len(ATTRIBUTES)) if mentioned_row[a]]
    order = torch.randperm(len(words), generator=generator).tolist()
    adjectives = " ".join(words[i] for i in order)
    template = ATTRIBUTE_TEMPLATES[int(torch.randint(len(ATTRIBUTE_TEMPLATES), (1,), generator=generator))]
    return template.format(a=adjectives, c=class_name)


def compatible(image_classes, image_attrs, text_classes, text_attrs, text_mentioned):
    """[I,T] bool: caption t is true of image i (same class, and every attribute it names agrees).

    Such pairs are neither positives nor negatives of each other's softmax (the current loss's rule for
    same-class items, narrowed by the attributes).
    """
    same = image_classes.unsqueeze(1) == text_classes.unsqueeze(0)
    agree = (image_attrs.unsqueeze(1) == text_attrs.unsqueeze(0)) | ~text_mentioned.unsqueeze(0)
    return same & agree.all(dim=2)
