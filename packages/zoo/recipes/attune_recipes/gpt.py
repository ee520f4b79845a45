"""A small GPT-2-style decoder (pre-LN, learned positions, tied embeddings) with a key/value cache, the
Hugging Face decoder ONNX layout, and a reward model built on the same trunk.

Exported graphs (names as transformers.js / optimum decoder exports use them):
- onnx/model.onnx: input_ids [b, s] int64, attention_mask [b, p+s] int64, position_ids [b, s] int64,
  past_key_values.{i}.key / .value [b, heads, p, head_dim] float32  ->  logits [b, s, vocab],
  present.{i}.key / .value [b, heads, p+s, head_dim]. p may be 0 (first call).
- onnx/model_embeds.onnx: the same with inputs_embeds [b, s, hidden] float32 instead of input_ids (the
  gradient entry point for soft prompts).
- onnx/embed_tokens.onnx: input_ids -> inputs_embeds.
- reward model onnx/model.onnx: input_ids, attention_mask [b, s] (right-padded) -> logits [b, 1], the score
  read at each row's last attended token (as transformers' sequence classification does).
Written with plain ops (Gather, MatMul, Softmax, Erf-GELU, Range via arange) and no advanced indexing.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = -1e9


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = width // heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, bias, past=None):
        n, length, width = x.shape
        q, k, v = self.qkv(x).split(width, dim=2)
        q, k, v = (t.reshape(n, length, self.heads, self.head_dim).transpose(1, 2) for t in (q, k, v))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        attn = torch.softmax((q * self.head_dim**-0.5) @ k.transpose(-1, -2) + bias, dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(n, length, width)
        return self.out_proj(out), (k, v)


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x, bias, past=None):
        a, present = self.attn(self.ln_1(x), bias, past)
        x = x + a
        return x + self.mlp(self.ln_2(x)), present


def attention_bias(attention_mask, query_length):
    """Additive bias [b, 1, s, p+s]: causal over absolute positions and zero only on attended keys."""
    total = attention_mask.shape[1]
    key_pos = torch.arange(total, device=attention_mask.device)
    query_pos = torch.arange(query_length, device=attention_mask.device) + (total - query_length)
    causal = key_pos.unsqueeze(0) <= query_pos.unsqueeze(1)
    allowed = causal.unsqueeze(0).unsqueeze(0) & (attention_mask > 0).unsqueeze(1).unsqueeze(1)
    return torch.where(allowed, torch.zeros((), dtype=torch.float32), torch.full((), NEG))


class GPT(nn.Module):
    def __init__(self, vocab_size, context_length, width, layers, heads):
        super().__init__()
        self.context_length = context_length
        self.wte = nn.Embedding(vocab_size, width)
        self.wpe = nn.Embedding(context_length, width)
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width)
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("out_proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, std=0.02 / (2 * layers) ** 0.5)

    @staticmethod
    def _init(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def hidden(self, inputs_embeds, attention_mask, position_ids, past=None):
        x = inputs_embeds + self.wpe(position_ids)
        bias = attention_bias(attention_mask, inputs_embeds.shape[1])
        presents = []
        for i, block in enumerate(self.blocks):
            x, present = block(x, bias, None if past is None else past[i])
            presents.append(present)
        return self.ln_f(x), presents

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        n, length = input_ids.shape
        if attention_mask is None:
            attention_mask = torch.ones(n, length, dtype=torch.long)
        if position_ids is None:
            position_ids = torch.arange(length).unsqueeze(0).expand(n, length)
        h, presents = self.hidden(self.wte(input_ids), attention_mask, position_ids, past)
        return h @ self.wte.weight.t(), presents


class RewardModel(nn.Module):
    """The LM's trunk plus a scalar head read at the last attended token of each (right-padded) row."""

    def __init__(self, lm):
        super().__init__()
        self.lm = lm
        self.score = nn.Linear(lm.wte.weight.shape[1], 1)
        nn.init.zeros_(self.score.weight)
        nn.init.zeros_(self.score.bias)

    def forward(self, input_ids, attention_mask):
        n, length = input_ids.shape
        positions = torch.arange(length).unsqueeze(0).expand(n, length)
        h, _ = self.lm.hidden(self.lm.wte(input_ids), attention_mask, positions)
        last = attention_mask.sum(dim=1, keepdim=True) - 1
        pick = (positions == last).to(h.dtype).unsqueeze(-1)
        return self.score((h * pick).sum(dim=1))


# ---- sampling with the cache (used to evaluate the LM and to collect the reward model's data) ----------


@torch.no_grad()
def generate(model, prompts, eos_id, pad_id, max_new_tokens, temperature, generator=None):
    """Left-padded batched decoding. temperature 0 = greedy. Returns lists of new token ids (EOS excluded)."""
    n = len(prompts)
    width = max(len(p) for p in prompts)
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    mask = torch.zeros((n, width), dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, width - len(p) :] = torch.tensor(p)
        mask[i, width - len(p) :] = 1
    positions = (mask.cumsum(1) - 1).clamp(min=0)
    logits, past = model(ids, mask, positions)
    out = [[] for _ in range(n)]
    done = torch.zeros(n, dtype=torch.bool)
    next_pos = positions[:, -1] + 1
    for _ in range(max_new_tokens):
        last = logits[:, -1, :]
        if temperature == 0:
            token = last.argmax(dim=-1)
        else:
            probs = torch.softmax(last / temperature, dim=-1)
            token = torch.multinomial(probs, 1, generator=generator).squeeze(1)
        for i in range(n):
            if not done[i]:
                if token[i].item() == eos_id:
                    done[i] = True
                else:
                    out[i].append(token[i].item())
        if bool(done.all()) or int(next_pos.max()) >= model.context_length:
            break
        mask = torch.cat([mask, torch.ones((n, 1), dtype=torch.long)], dim=1)
        logits, past = model(token.unsqueeze(1), mask, next_pos.unsqueeze(1), past)
        next_pos = next_pos + 1
    return out


# ---- thin wrappers with the exported signatures --------------------------------------------------------


class DecoderExport(nn.Module):
    def __init__(self, model, from_embeds):
        super().__init__()
        self.model = model
        self.from_embeds = from_embeds

    def forward(self, first, attention_mask, position_ids, *flat_past):
        embeds = first if self.from_embeds else self.model.wte(first)
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)] or None
        h, presents = self.model.hidden(embeds, attention_mask, position_ids, past)
        logits = h @ self.model.wte.weight.t()
        return (logits, *[t for kv in presents for t in kv])


class EmbedTokensExport(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model.wte(input_ids)


def export_decoder(model, path, layers, heads, head_dim, from_embeds, opset=17):
    model.eval()
    b, s, p = 2, 3, 2
    first = torch.randn(b, s, model.wte.weight.shape[1]) if from_embeds else torch.randint(0, 10, (b, s))
    mask = torch.ones(b, p + s, dtype=torch.long)
    positions = torch.arange(p, p + s).unsqueeze(0).expand(b, s)
    past = [torch.randn(b, heads, p, head_dim) for _ in range(2 * layers)]
    first_name = "inputs_embeds" if from_embeds else "input_ids"
    past_names = [f"past_key_values.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(layers) for kv in ("key", "value")]
    axes = {
        first_name: {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for name in past_names:
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in present_names:
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    torch.onnx.export(
        DecoderExport(model, from_embeds),
        (first, mask, positions, *past),
        path,
        input_names=[first_name, "attention_mask", "position_ids", *past_names],
        output_names=["logits", *present_names],
        dynamic_axes=axes,
        opset_version=opset,
    )


def export_embed_tokens(model, path, opset=17):
    torch.onnx.export(
        EmbedTokensExport(model),
        (torch.randint(0, 10, (2, 3)),),
        path,
        input_names=["input_ids"],
        output_names=["inputs_embeds"],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}},
        opset_version=opset,
    )


def export_reward(model, path, opset=17):
    model.eval()
    ids = torch.randint(0, 10, (2, 5))
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    torch.onnx.export(
        model,
        (ids, mask),
        path,
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size"},
        },
        opset_version=opset,
    )
