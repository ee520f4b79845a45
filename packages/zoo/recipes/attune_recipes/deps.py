"""Check that the Debian Python stack the recipes need is present; never install anything."""

import glob
import importlib
import sys

APT_LINE = "apt-get install -y --no-install-recommends python3-torch python3-onnx python3-regex libopenblas0-pthread"

# Without the pthread OpenBLAS, Debian's torch falls back to the reference BLAS (~25x slower).
OPENBLAS_GLOBS = (
    "/usr/lib/*/openblas-pthread/libopenblas*.so*",
    "/usr/lib/openblas-pthread/libopenblas*.so*",
)


def check_dependencies(extra_modules=()):
    """Exit with status 3 and the exact apt-get line when torch/onnx/numpy or OpenBLAS is missing."""
    missing = []
    for module in ("numpy", "torch", "onnx", *extra_modules):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if not any(glob.glob(pattern) for pattern in OPENBLAS_GLOBS):
        missing.append("libopenblas0-pthread")
    if missing:
        print(f"missing: {', '.join(missing)} (run recipes with /usr/bin/python3, Debian's interpreter)", file=sys.stderr)
        print("install them with:", file=sys.stderr)
        print(f"  {APT_LINE}", file=sys.stderr)
        sys.exit(3)
