"""Generates the ONNX fixtures the tests of @attune/backend-onnx run against.

Run from packages/backend-onnx with Debian's torch (not the first python3 on PATH):
    /usr/bin/python3 scripts/make_fixtures.py

Writes into fixtures/:
  mlp.onnx            tiny MLP, input "features" float32 [batch,8] -> "logits" [batch,3]
  convnet.onnx        tiny conv net, input "pixel_values" float32 [batch,3,16,16]
                      -> "logits" [batch,5] and "embeddings" [batch,4]
  masked_sum.onnx     "input_ids" int64 [batch,sequence] + "attention_mask" int64 [batch,sequence]
                      + "scale" float32 [1] -> "scaled_sum" [batch]: int64 inputs, two inputs that share
                      symbolic dimensions, and a fixed-shape input that is not batched
  bench_cnn.onnx      a 224x224 image CNN (~0.1M params, random weights) for bench/, input "pixel_values"
                      float32 [batch,3,224,224] -> "embeddings" [batch,512]; no expected outputs
  corrupt.onnx        bytes that are not an ONNX model
  expected.json       inputs and torch outputs for each model (float32 values as JSON numbers)
"""

import json
import os

import numpy as np
import onnx
import torch
from torch import nn

torch.set_num_threads(1)  # the machine is shared
torch.manual_seed(0)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")
os.makedirs(OUT, exist_ok=True)
OPSET = 13


class TinyMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.Linear(16, 3))

    def forward(self, features):
        return self.net(features)


class TinyConvNet(nn.Module):
    """Two outputs, so tests can ask for one of them by name."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(6, 8, kernel_size=3, stride=2, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.embed = nn.Linear(8, 4)
        self.head = nn.Linear(4, 5)

    def forward(self, pixel_values):
        x = torch.relu(self.conv1(pixel_values))
        x = torch.relu(self.conv2(x))
        x = self.pool(x).flatten(1)
        embeddings = self.embed(x)
        return self.head(embeddings), embeddings


class MaskedSum(nn.Module):
    """Sums the unmasked token ids of each row and scales the sums, like pooling a text encoder's output."""

    def forward(self, input_ids, attention_mask, scale):
        return (input_ids * attention_mask).to(torch.float32).sum(dim=1) * scale


def export(model, args, name, input_names, output_names, dynamic_axes):
    path = os.path.join(OUT, name)
    model.eval()
    torch.onnx.export(
        model,
        args,
        path,
        input_names=input_names,
        output_names=output_names,
        dynamic_axes=dynamic_axes,
        opset_version=OPSET,
    )
    onnx.checker.check_model(onnx.load(path))
    return path


def as_list(t):
    return t.detach().numpy().astype(np.float64).ravel().tolist()


expected = {}

mlp = TinyMLP()
mlp_x = torch.randn(5, 8)
export(mlp, (mlp_x,), "mlp.onnx", ["features"], ["logits"], {"features": {0: "batch"}, "logits": {0: "batch"}})
with torch.no_grad():
    mlp_y = mlp(mlp_x)
expected["mlp"] = {
    "inputs": {"features": {"dims": list(mlp_x.shape), "data": as_list(mlp_x)}},
    "outputs": {"logits": {"dims": list(mlp_y.shape), "data": as_list(mlp_y)}},
}

conv = TinyConvNet()
# 10 images: enough to split into uneven chunks (4 + 4 + 2) in the batching tests.
conv_x = torch.randn(10, 3, 8, 8)
export(
    conv,
    (conv_x,),
    "convnet.onnx",
    ["pixel_values"],
    ["logits", "embeddings"],
    {"pixel_values": {0: "batch"}, "logits": {0: "batch"}, "embeddings": {0: "batch"}},
)
with torch.no_grad():
    conv_logits, conv_emb = conv(conv_x)
expected["convnet"] = {
    "inputs": {"pixel_values": {"dims": list(conv_x.shape), "data": as_list(conv_x)}},
    "outputs": {
        "logits": {"dims": list(conv_logits.shape), "data": as_list(conv_logits)},
        "embeddings": {"dims": list(conv_emb.shape), "data": as_list(conv_emb)},
    },
}

masked = MaskedSum()
ids = torch.randint(0, 1000, (6, 7), dtype=torch.int64)
mask = (torch.rand(6, 7) > 0.3).to(torch.int64)
scale = torch.tensor([0.5])
export(
    masked,
    (ids, mask, scale),
    "masked_sum.onnx",
    ["input_ids", "attention_mask", "scale"],
    ["scaled_sum"],
    {
        "input_ids": {0: "batch", 1: "sequence"},
        "attention_mask": {0: "batch", 1: "sequence"},
        "scaled_sum": {0: "batch"},
    },
)
with torch.no_grad():
    masked_y = masked(ids, mask, scale)
expected["masked_sum"] = {
    "inputs": {
        "input_ids": {"dims": list(ids.shape), "data": ids.ravel().tolist()},
        "attention_mask": {"dims": list(mask.shape), "data": mask.ravel().tolist()},
        "scale": {"dims": list(scale.shape), "data": as_list(scale)},
    },
    "outputs": {"scaled_sum": {"dims": list(masked_y.shape), "data": as_list(masked_y)}},
}

class BenchCNN(nn.Module):
    """Shaped like an image tower's input end: 224x224 RGB in, activations that grow with the batch."""

    def __init__(self):
        super().__init__()
        widths = [3, 16, 32, 64, 64]
        layers = []
        for cin, cout in zip(widths, widths[1:]):
            layers += [nn.Conv2d(cin, cout, kernel_size=3, stride=2, padding=1), nn.ReLU()]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.proj = nn.Linear(64, 512)

    def forward(self, pixel_values):
        return self.proj(self.pool(self.features(pixel_values)).flatten(1))


export(
    BenchCNN(),
    (torch.randn(2, 3, 224, 224),),
    "bench_cnn.onnx",
    ["pixel_values"],
    ["embeddings"],
    {"pixel_values": {0: "batch"}, "embeddings": {0: "batch"}},
)

# Not a protobuf ModelProto: onnxruntime must refuse it.
with open(os.path.join(OUT, "corrupt.onnx"), "wb") as f:
    f.write(b"this is not an ONNX model, just text with an .onnx name\n")

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump({"torch": torch.__version__, "onnx": onnx.__version__, "opset": OPSET, "models": expected}, f)
    f.write("\n")

for name in sorted(os.listdir(OUT)):
    print(f"{name}: {os.path.getsize(os.path.join(OUT, name))} bytes")
