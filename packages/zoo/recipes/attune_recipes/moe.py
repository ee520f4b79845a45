"""A small mixture-of-experts decoder (OLMoE-style sparse MLP blocks, top-k routing without renormalising
the top-k weights) with a KV cache, per-layer router probabilities and C3PO's routing override.

Routing per layer, per token: p = softmax(router(h)); for the override, at the last position of the call
and for each layer whose routing_override_layers flag is 1, p is replaced by routing_override (clamped to
>= 1e-10 and renormalised, as the released C3PO code replaces the router distribution before top-k); then
the top-k experts of p are run and weighted by their p (not renormalised: OLMoE's norm_topk_prob = False).
Calling the graph again with the override for each generated token gives the released code's "every
generated token" behaviour; passing zero flags gives plain routing.

Exported graph (onnx/model.onnx, the Hugging Face decoder layout plus routing):
  inputs  input_ids [b, s] int64, attention_mask [b, p+s] int64, position_ids [b, s] int64,
          past_key_values.{i}.key / .value [b, heads, p, head_dim],
          routing_override [b, layers, experts] float32, routing_override_layers [layers] float32 (0/1)
  outputs logits [b, s, vocab], present.{i}.key / .value, router_probs [b, layers, s, experts] (the router
          softmax before any override), routing_weights [b, layers, s, experts] (the distribution top-k
          was taken from, after the override), last_hidden_state [b, s, hidden] (after the final norm).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .gpt import Attention, attention_bias

OVERRIDE_FLOOR = 1e-10


class Expert(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.up = nn.Linear(width, hidden)
        self.down = nn.Linear(hidden, width)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


def top_k_gates(weights, k):
    """weights with everything below each row's k-th largest entry zeroed (ONNX: TopK + GreaterOrEqual)."""
    kth = torch.topk(weights, k, dim=-1).values[..., k - 1 : k]
    return torch.where(weights >= kth, weights, torch.zeros_like(weights))


class SparseMoe(nn.Module):
    def __init__(self, width, hidden, experts, top_k):
        super().__init__()
        self.router = nn.Linear(width, experts, bias=False)
        self.experts = nn.ModuleList([Expert(width, hidden) for _ in range(experts)])
        self.top_k = top_k

    def forward(self, x, override=None, override_on=None, dense=False):
        """x [b, s, d]; override [b, E] for the last position; override_on scalar 0/1 tensor."""
        probs = torch.softmax(self.router(x), dim=-1)
        weights = probs
        if override is not None:
            custom = override.clamp(min=OVERRIDE_FLOOR)
            custom = custom / custom.sum(dim=-1, keepdim=True)
            length = x.shape[1]
            last = (torch.arange(length, device=x.device) == length - 1).to(x.dtype).view(1, length, 1)
            use = last * override_on
            weights = probs * (1 - use) + custom.unsqueeze(1) * use
        gates = top_k_gates(weights, self.top_k)
        if dense:  # every expert on every token: plain ops for ONNX export
            outs = torch.stack([e(x) for e in self.experts], dim=-2)  # [b, s, E, d]
            return (outs * gates.unsqueeze(-1)).sum(dim=-2), probs, weights
        flat_x, flat_g = x.reshape(-1, x.shape[-1]), gates.reshape(-1, gates.shape[-1])
        out = torch.zeros_like(flat_x)
        for e, expert in enumerate(self.experts):
            rows = torch.nonzero(flat_g[:, e] > 0).squeeze(1)
            if rows.numel():
                out.index_add_(0, rows, expert(flat_x[rows]) * flat_g[rows, e : e + 1])
        return out.view_as(x), probs, weights


class MoeBlock(nn.Module):
    def __init__(self, width, heads, hidden, experts, top_k):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.moe = SparseMoe(width, hidden, experts, top_k)

    def forward(self, x, bias, past=None, override=None, override_on=None, dense=False):
        a, present = self.attn(self.ln_1(x), bias, past)
        x = x + a
        m, probs, weights = self.moe(self.ln_2(x), override, override_on, dense)
        return x + m, present, probs, weights


class MoeGPT(nn.Module):
    def __init__(self, vocab_size, context_length, width, layers, heads, expert_hidden, experts, top_k):
        super().__init__()
        self.context_length = context_length
        self.wte = nn.Embedding(vocab_size, width)
        self.wpe = nn.Embedding(context_length, width)
        self.blocks = nn.ModuleList([MoeBlock(width, heads, expert_hidden, experts, top_k) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width)
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("out_proj.weight") or name.endswith("down.weight"):
                nn.init.normal_(p, std=0.02 / (2 * layers) ** 0.5)

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None, override=None, override_layers=None, dense=False):
        """-> logits, presents, router probs [b, L, s, E], routing weights [b, L, s, E], last hidden [b, s, d].

        override [b, L, E] with override_layers [L] (0/1): replace layer l's routing at the last position."""
        n, length = input_ids.shape
        if attention_mask is None:
            attention_mask = torch.ones(n, length, dtype=torch.long)
        if position_ids is None:
            position_ids = torch.arange(length).unsqueeze(0).expand(n, length)
        x = self.wte(input_ids) + self.wpe(position_ids)
        bias = attention_bias(attention_mask, length)
        presents, probs, weights = [], [], []
        for i, block in enumerate(self.blocks):
            o = None if override is None else override[:, i]
            on = None if override is None else override_layers[i]
            x, present, p, w = block(x, bias, None if past is None else past[i], o, on, dense)
            presents.append(present)
            probs.append(p)
            weights.append(w)
        h = self.ln_f(x)
        return h @ self.wte.weight.t(), presents, torch.stack(probs, 1), torch.stack(weights, 1), h


def load_balance_loss(probs, top_k):
    """Switch-style auxiliary loss E * sum_e f_e * P_e, averaged over layers (probs [b, L, s, E])."""
    experts = probs.shape[-1]
    flat = probs.reshape(-1, probs.shape[1], experts)
    chosen = (top_k_gates(flat, top_k) > 0).float()
    f = chosen.mean(0) / top_k
    p = flat.mean(0)
    return experts * (f * p).sum(-1).mean()


class MoeDecoderExport(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, routing_override, routing_override_layers, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, presents, probs, weights, h = self.model(
            input_ids, attention_mask, position_ids, past, routing_override, routing_override_layers, dense=True
        )
        return (logits, *[t for kv in presents for t in kv], probs, weights, h)


def export_moe_decoder(model, path, layers, heads, head_dim, experts, opset=17):
    model.eval()
    b, s, p = 2, 3, 2
    ids = torch.randint(0, 10, (b, s))
    mask = torch.ones(b, p + s, dtype=torch.long)
    positions = torch.arange(p, p + s).unsqueeze(0).expand(b, s)
    override = torch.softmax(torch.randn(b, layers, experts), -1)
    flags = torch.zeros(layers)
    past = [torch.randn(b, heads, p, head_dim) for _ in range(2 * layers)]
    past_names = [f"past_key_values.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "routing_override": {0: "batch_size"},
        "logits": {0: "batch_size", 1: "sequence_length"},
        "router_probs": {0: "batch_size", 2: "sequence_length"},
        "routing_weights": {0: "batch_size", 2: "sequence_length"},
        "last_hidden_state": {0: "batch_size", 1: "sequence_length"},
    }
    for name in past_names:
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in present_names:
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    torch.onnx.export(
        MoeDecoderExport(model),
        (ids, mask, positions, override, flags, *past),
        path,
        input_names=["input_ids", "attention_mask", "position_ids", "routing_override", "routing_override_layers", *past_names],
        output_names=["logits", *present_names, "router_probs", "routing_weights", "last_hidden_state"],
        dynamic_axes=axes,
        opset_version=opset,
    )
