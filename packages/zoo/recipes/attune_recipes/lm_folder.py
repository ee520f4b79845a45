"""What mini-lm and mini-lm-t share: the mixed batches, the optimiser and its schedule, one training step,
English perplexity, and the Hugging Face decoder folder they are exported as (tokenizer files, config.json,
the three ONNX graphs, and reference.json for the JS parity tests)."""

import math
import os

import torch
import torch.nn.functional as F

from attune_recipes.card import write_json
from attune_recipes.gpt import export_decoder, export_embed_tokens, generate

OPTIMIZER = "AdamW betas (0.9, 0.95) wd 0.1 on matrices, 5 % warmup + cosine to 10 %, grad clip 1.0"


class MixedRows:
    """Rows of seq_len + 1 tokens: an English window, or (with probability `fraction`) a pack of whole
    documents taken in turn. `reshuffle` draws a fresh order of the documents at the start of every epoch."""

    def __init__(self, english_stream, documents, seq_len, fraction, rng, reshuffle=False):
        self.english = english_stream
        self.documents = documents
        self.seq_len = seq_len
        self.fraction = fraction
        self.rng = rng
        self.reshuffle = reshuffle
        self.cursor = 0

    def row(self):
        need = self.seq_len + 1
        if self.rng.random() < self.fraction:
            row = []
            while len(row) < need:
                if self.reshuffle and self.cursor % len(self.documents) == 0:
                    self.rng.shuffle(self.documents)
                row.extend(self.documents[self.cursor % len(self.documents)])
                self.cursor += 1
            return row[:need]
        start = self.rng.randrange(0, len(self.english) - need)
        return self.english[start : start + need]

    def next(self, batch_size):
        return torch.tensor([self.row() for _ in range(batch_size)], dtype=torch.long)


def decoder_optimizer(model, lr):
    """AdamW with weight decay on the matrices only (see OPTIMIZER)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr,
        betas=(0.9, 0.95),
    )


def train_step(model, optimizer, rows, lr):
    """One next-token step on a batch of rows at learning rate `lr`, gradients clipped at norm 1; the loss."""
    model.train()
    for group in optimizer.param_groups:
        group["lr"] = lr
    logits, _ = model(rows[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss


def lr_at(step, total, peak):
    """Linear warm-up over the first 5 % of steps, then cosine decay to a tenth of the peak."""
    warmup = max(1, total // 20)
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def perplexity(model, stream, seq_len, max_tokens=200_000):
    total, count = 0.0, 0
    for start in range(0, min(len(stream), max_tokens) - seq_len - 1, seq_len):
        window = torch.tensor([stream[start : start + seq_len + 1]])
        logits, _ = model(window[:, :-1])
        total += F.cross_entropy(logits[0], window[0, 1:], reduction="sum").item()
        count += seq_len
    return math.exp(total / count)


def write_lm_folder(model, tokenizer, out, arch, params, opset):
    """tokenizer.json, tokenizer_config.json, config.json and onnx/{model,model_embeds,embed_tokens}.onnx."""
    tokenizer.save(os.path.join(out, "tokenizer.json"))
    write_json(
        os.path.join(out, "tokenizer_config.json"),
        {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
         "pad_token": "<|pad|>", "model_max_length": arch["context_length"]},
    )
    head_dim = arch["width"] // arch["heads"]
    write_json(
        os.path.join(out, "config.json"),
        {
            "model_type": "attune-gpt",
            "architectures": ["AttuneGPTForCausalLM"],
            "vocab_size": len(tokenizer),
            "hidden_size": arch["width"],
            "num_hidden_layers": arch["layers"],
            "num_attention_heads": arch["heads"],
            "num_key_value_heads": arch["heads"],
            "head_dim": head_dim,
            "max_position_embeddings": arch["context_length"],
            "bos_token_id": tokenizer.eos_id,
            "eos_token_id": tokenizer.eos_id,
            "pad_token_id": tokenizer.pad_id,
            "num_parameters": params,
            "prompt_template": "Question: {question}\nAnswer:",
        },
    )
    with torch.no_grad():
        layers, heads = arch["layers"], arch["heads"]
        export_decoder(model, os.path.join(out, "onnx", "model.onnx"), layers, heads, head_dim, False, opset)
        export_decoder(model, os.path.join(out, "onnx", "model_embeds.onnx"), layers, heads, head_dim, True, opset)
        export_embed_tokens(model, os.path.join(out, "onnx", "embed_tokens.onnx"), opset)


def write_reference(model, tokenizer, prompt, path):
    """Token ids, greedy continuation and a logits slice of `prompt`, for the JS tests' parity checks."""
    ids = tokenizer.encode(prompt)
    with torch.no_grad():
        logits, _ = model(torch.tensor([ids]))
        greedy = generate(model, [ids], tokenizer.eos_id, tokenizer.pad_id, 40, 0.0)[0]
    texts = ["Call me Ishmael. Some years ago—never mind how long", "In 1862, 3,141 men paid $25.50 each!", prompt]
    write_json(
        path,
        {
            "prompt": prompt,
            "prompt_ids": ids,
            "last_logits_head": [round(v, 6) for v in logits[0, -1, :32].tolist()],
            "greedy_ids": greedy,
            "greedy_text": tokenizer.decode(greedy),
            "tokenizer_cases": [{"text": t, "ids": tokenizer.encode(t)} for t in texts],
        },
    )
