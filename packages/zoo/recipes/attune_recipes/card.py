"""Write config.json / card.json and fingerprint a model folder's files."""

import datetime
import hashlib
import json
import os


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entries(directory):
    """Every file under the model folder except card.json, with size and sha256, sorted by path."""
    entries = []
    for root, _, names in os.walk(directory):
        for name in names:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, directory).replace(os.sep, "/")
            if rel == "card.json":
                continue
            entries.append({"path": rel, "bytes": os.path.getsize(full), "sha256": sha256_of(full)})
    return sorted(entries, key=lambda e: e["path"])


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def today():
    return datetime.date.today().isoformat()


def read_reference_metrics(card_path):
    """The committed card's metrics (read before a run that may overwrite it), or None."""
    if not os.path.exists(card_path):
        return None
    with open(card_path) as f:
        return json.load(f).get("metrics")


def print_comparison(metrics, reference, keys):
    """Print the new run's metrics next to the committed card's, so a retrain can be judged at a glance."""

    def lookup(obj, dotted):
        for part in dotted.split("."):
            if not isinstance(obj, dict) or part not in obj:
                return None
            obj = obj[part]
        return obj

    print(f"{'metric':<44} {'this run':>10} {'card':>10}")
    for key in keys:
        new = lookup(metrics, key)
        old = lookup(reference, key) if reference else None
        fmt = lambda v: "-" if v is None else (f"{v:.4f}" if isinstance(v, float) else str(v))  # noqa: E731
        print(f"{key:<44} {fmt(new):>10} {fmt(old):>10}")
