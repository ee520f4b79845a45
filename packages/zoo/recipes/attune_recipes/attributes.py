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
- style:  photo (no rendition) | outline | negative | striped | bold | faint | tiny | closeup — renditions
          of the kind web captions call sketches, negatives or close-ups, each rendered by another operation
          than the shift suite's nearest rendition (see STYLE_NOTES); the style word is a noun inside TPT's
          context span ("a outline of a 7.", "outline of a bright 7.", "a photo of striped 7.")
The first value of each is what an untouched test image shows. A style caption names the style only when
it is not the default, so "photo" stays a word every image's plain caption may use.
"""

import math

import torch
import torch.nn.functional as F

ATTRIBUTES = [
    ("ink", ["bright", "dim"]),
    ("page", ["unshaded", "shaded"]),
    ("tilt", ["upright", "leftward", "rightward"]),
    ("mark", ["plain", "framed", "underlined"]),
    ("style", ["photo", "outline", "negative", "striped", "bold", "faint", "tiny", "closeup"]),
]
STYLE = 4  # column of the style attribute
# How each style is rendered, and how it differs from the shift suites' renditions (packages/data
# src/renditions/rendition.ts), which stay unseen: the suites are test images at severity 3 only, these are
# train images only.
STYLE_NOTES = {
    "outline": "3x3 morphological gradient (max-pool minus min-pool), rescaled to its max, no fill; the suite's "
    "sketch is a Sobel magnitude blended 0.8 with the filled glyph",
    "negative": "dark glyph (ink U(0.05, 0.2)) on a mid-grey page (U(0.5, 0.75)); the suite's inverted is "
    "0.9 * (1 - x) + 0.1 * x (page 0.9, ink 0.1)",
    "striped": "glyph filled with a sinusoidal grating (period 3-6 px, random angle and phase), black page; the "
    "suite's stylised fills glyph and page with two plasma-fractal textures",
    "bold": "2x3 rectangular max-pool dilation (anisotropic, one pixel wider than high); the suite's thick is a "
    "grey dilation with a disk of radius 1.5",
    "faint": "core of the stroke: clamp((x - 0.45) / 0.55), dimmed x0.8; the suite's thin is a grey erosion "
    "with a disk of radius 1",
    "tiny": "glyph shrunk to U(0.45, 0.7) of the frame at a random position (off-centre); the suite's zoom_out "
    "is a centred 0.6",
    "closeup": "zoom U(1.3, 1.7) about a point up to 3 px off-centre; the suite's zoom_in is a centred 1.5 "
    "clipped zoom",
}
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


# Templates of a caption that names a style: {s} the style noun, {a} the other named adjectives (may be
# empty), {c} the class; the style word sits at each of the four context positions of "a photo of a".
STYLE_TEMPLATES = [
    "{s} of a {a} {c}.",
    "a {a} {s} of a {c}.",
    "a {s} of the {a} {c}.",
    "a photo of {s} {a} {c}.",
    "the {s} {a} {c}.",
    "a {a} {c} in {s}.",
]


def sample_attributes(n, changed_p, generator, style_p=None):
    """[n, len(ATTRIBUTES)] value indices; each attribute leaves its default (0) with probability changed_p
    (the style with probability style_p, default changed_p)."""
    columns = []
    for a, (_, values) in enumerate(ATTRIBUTES):
        p = style_p if (a == STYLE and style_p is not None) else changed_p
        changed = torch.rand(n, generator=generator) < p
        other = torch.randint(1, len(values), (n,), generator=generator)
        columns.append(torch.where(changed, other, torch.zeros(n, dtype=torch.long)))
    return torch.stack(columns, dim=1)


def _affine(gray, scale, dx, dy):
    """Resample [m,1,H,W] so the picture is scaled by `scale` [m] and its centre moved by (dx, dy) [m] (grid
    units, -1..1); outside is blank."""
    m = gray.shape[0]
    theta = torch.zeros(m, 2, 3)
    theta[:, 0, 0] = 1 / scale
    theta[:, 1, 1] = 1 / scale
    theta[:, 0, 2] = -dx / scale
    theta[:, 1, 2] = -dy / scale
    grid = F.affine_grid(theta, list(gray.shape), align_corners=False)
    return F.grid_sample(gray, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def render_style(gray, style, generator):
    """The style renditions (STYLE_NOTES) on [N,1,28,28] glyph-light images; style [N] value indices."""
    gray = gray.clone()
    names = ATTRIBUTES[STYLE][1]
    for value in range(1, len(names)):
        rows = (style == value).nonzero().squeeze(1)
        m = len(rows)
        if m == 0:
            continue
        x = gray[rows]
        name = names[value]
        if name == "outline":
            grad = F.max_pool2d(x, 3, 1, 1) + F.max_pool2d(-x, 3, 1, 1)
            y = grad / grad.amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-6)
        elif name == "negative":
            page = torch.empty(m, 1, 1, 1).uniform_(0.5, 0.75, generator=generator)
            ink = torch.empty(m, 1, 1, 1).uniform_(0.05, 0.2, generator=generator)
            y = page + (ink - page) * x
        elif name == "striped":
            h, w = x.shape[-2:]
            yy, xx = torch.meshgrid(torch.arange(h).float(), torch.arange(w).float(), indexing="ij")
            angle = torch.rand(m, generator=generator) * math.pi
            period = torch.empty(m).uniform_(3.0, 6.0, generator=generator)
            phase = torch.rand(m, generator=generator) * 2 * math.pi
            proj = xx * angle.cos().view(m, 1, 1) + yy * angle.sin().view(m, 1, 1)
            grating = 0.5 + 0.5 * torch.sin(2 * math.pi * proj / period.view(m, 1, 1) + phase.view(m, 1, 1))
            y = x * (0.2 + 0.8 * grating.unsqueeze(1))
        elif name == "bold":
            y = F.max_pool2d(F.pad(x, (1, 1, 0, 1)), (2, 3), 1)
        elif name == "faint":
            y = 0.8 * ((x - 0.45) / 0.55).clamp(0, 1)
        elif name == "tiny":
            scale = torch.empty(m).uniform_(0.45, 0.7, generator=generator)
            room = 1 - scale
            dx = (torch.rand(m, generator=generator) * 2 - 1) * room
            dy = (torch.rand(m, generator=generator) * 2 - 1) * room
            y = _affine(x, scale, dx, dy)
        elif name == "closeup":
            scale = torch.empty(m).uniform_(1.3, 1.7, generator=generator)
            off = 3 / 14  # 3 px in grid units
            dx = (torch.rand(m, generator=generator) * 2 - 1) * off * scale
            dy = (torch.rand(m, generator=generator) * 2 - 1) * off * scale
            y = _affine(x, scale, dx, dy)
        else:
            raise ValueError(name)
        gray[rows] = y.clamp(0, 1)
    return gray


def render(gray, attrs, generator):
    """Apply the attributes to grayscale images [N,1,28,28] in [0,1] (glyph light on a dark page): the
    style first, then tilt, mark, ink and page."""
    n = gray.shape[0]
    if attrs.shape[1] > STYLE and bool((attrs[:, STYLE] != 0).any()):
        gray = render_style(gray, attrs[:, STYLE], generator)
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
    """A caption naming the mentioned attributes as adjectives in a random order, in a random template; a
    named style is a noun in a style template."""
    words = [ATTRIBUTES[a][1][int(attrs_row[a])] for a in range(len(ATTRIBUTES)) if mentioned_row[a] and a != STYLE]
    order = torch.randperm(len(words), generator=generator).tolist()
    adjectives = " ".join(words[i] for i in order)
    if len(mentioned_row) > STYLE and bool(mentioned_row[STYLE]):
        templates = STYLE_TEMPLATES
        style = ATTRIBUTES[STYLE][1][int(attrs_row[STYLE])]
    else:
        templates, style = ATTRIBUTE_TEMPLATES, None
    template = templates[int(torch.randint(len(templates), (1,), generator=generator))]
    return " ".join(template.format(a=adjectives, c=class_name, s=style).split())


def compatible(image_classes, image_attrs, text_classes, text_attrs, text_mentioned):
    """[I,T] bool: caption t is true of image i (same class, and every attribute it names agrees).

    Such pairs are neither positives nor negatives of each other's softmax (the current loss's rule for
    same-class items, narrowed by the attributes).
    """
    same = image_classes.unsqueeze(1) == text_classes.unsqueeze(0)
    agree = (image_attrs.unsqueeze(1) == text_attrs.unsqueeze(0)) | ~text_mentioned.unsqueeze(0)
    return same & agree.all(dim=2)
