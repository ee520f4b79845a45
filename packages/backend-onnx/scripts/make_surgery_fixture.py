"""Writes fixtures/surgery/torch_text_tower.onnx: a CLIP-like text tower exported by torch from its own modules,
for the graph-surgery tests: an op structure unlike the zoo's (nn.Embedding, nn.TransformerEncoder with a
causal mask, LayerNorm decomposed at opset 13 into ReduceMean/Sub/Pow/Sqrt/Div, positions sliced by
Shape(input_ids), the pooled row taken with advanced indexing at the first end token as transformers does
for non-legacy configs). Random weights, seed 0. input_ids [N,L] -> text_embeds [N,8].
Run with Debian's torch: /usr/bin/python3 scripts/make_surgery_fixture.py
"""
import os

import torch

torch.manual_seed(0)
torch.set_num_threads(1)
VOCAB, WIDTH, CONTEXT, EOS = 50, 16, 12, 49


class TextTower(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, WIDTH)
        self.positions = torch.nn.Parameter(torch.randn(CONTEXT, WIDTH) * 0.1)
        layer = torch.nn.TransformerEncoderLayer(WIDTH, 2, 32, dropout=0.0, activation="gelu", batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.norm = torch.nn.LayerNorm(WIDTH)
        self.proj = torch.nn.Linear(WIDTH, 8, bias=False)
        causal = torch.full((CONTEXT, CONTEXT), float("-inf")).triu(1)
        self.register_buffer("causal", causal, persistent=False)

    def forward(self, input_ids):
        length = input_ids.shape[1]
        x = self.embed(input_ids) + self.positions[:length]
        x = self.norm(self.encoder(x, mask=self.causal[:length, :length]))
        eot = (input_ids == EOS).int().argmax(dim=-1)
        return self.proj(x[torch.arange(x.shape[0]), eot])


model = TextTower().eval()
out = os.path.join(os.path.dirname(__file__), "..", "fixtures", "surgery", "torch_text_tower.onnx")
os.makedirs(os.path.dirname(out), exist_ok=True)
ids = torch.randint(1, EOS, (2, CONTEXT))
ids[:, 5] = EOS
torch.onnx.export(model, (ids,), out, input_names=["input_ids"], output_names=["text_embeds"],
                  dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "text_embeds": {0: "batch"}},
                  opset_version=13, do_constant_folding=True)
print("wrote", out, os.path.getsize(out), "bytes")
