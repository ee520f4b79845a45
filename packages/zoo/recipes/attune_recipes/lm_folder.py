"""What mini-lm and mini-lm-t share: the learning-rate schedule, English perplexity, and the Hugging Face
decoder folder they are exported as (tokenizer files, config.json, the three ONNX graphs)."""

import math
import os

import torch
import torch.nn.functional as F

from attune_recipes.card import write_json
from attune_recipes.gpt import export_decoder, export_embed_tokens


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
