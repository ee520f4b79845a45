"""Read MNIST / Fashion-MNIST IDX files (raw or gzip) into numpy arrays."""

import gzip
import os
import struct

import numpy as np

MNIST_CLASSES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
FASHION_CLASSES = [
    "t-shirt/top",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
]

IDX_NAMES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}


def read_idx(path):
    """Parse one IDX file; returns a uint8 array shaped as its header says."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})")
    shape = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape} but holds {body.size} bytes")
    return body.reshape(shape)


def find_idx(directory, split, kind):
    base = os.path.join(directory, IDX_NAMES[(split, kind)])
    for candidate in (base, base + ".gz"):
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(f"expected {base} or {base}.gz")


def load_split(directory, split):
    """Images as uint8 [N,28,28] and labels as int64 [N]."""
    images = read_idx(find_idx(directory, split, "images"))
    labels = read_idx(find_idx(directory, split, "labels")).astype(np.int64)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{directory} {split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images, labels
