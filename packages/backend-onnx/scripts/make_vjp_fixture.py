"""Writes fixtures/vjp/torch_encoder.onnx: a foreign-style export for the VJP tests.

A torch nn.TransformerEncoder (2 layers, width 32, 4 heads, GELU), exported at opset 13 so that LayerNorm
is decomposed into ReduceMean/Sub/Pow/Sqrt/Div (LayerNormalization is an opset-17 op) and the attention
comes out as torch writes it, not as attune's exporters do. Random weights, seed 0.
Run with Debian's torch: /usr/bin/python3 scripts/make_vjp_fixture.py
"""
import os

import torch

torch.manual_seed(0)
torch.set_num_threads(2)


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(
            d_model=32, nhead=4, dim_feedforward=64, dropout=0.0, activation="gelu", batch_first=True
        )
        self.encoder = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = torch.nn.Linear(32, 8)

    def forward(self, x):
        return torch.tanh(self.head(self.encoder(x)))


model = Encoder().eval()
out = os.path.join(os.path.dirname(__file__), "..", "fixtures", "vjp", "torch_encoder.onnx")
os.makedirs(os.path.dirname(out), exist_ok=True)
x = torch.randn(2, 7, 32)
# With gradients enabled torch takes the module's plain path (its fused inference kernel has no export).
torch.onnx.export(
    model,
    (x,),
    out,
    input_names=["x"],
    output_names=["y"],
    dynamic_axes={"x": {0: "batch", 1: "sequence"}, "y": {0: "batch", 1: "sequence"}},
    opset_version=13,
    do_constant_folding=True,
)
print("wrote", out, os.path.getsize(out), "bytes")
