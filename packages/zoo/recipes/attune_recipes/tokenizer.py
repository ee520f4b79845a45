"""A word-level caption tokenizer written as a Hugging Face `tokenizer.json`.

The file uses components that both the Rust `tokenizers` library and the pure-JS
`@huggingface/tokenizers` implement: Lowercase normalizer, BertPreTokenizer (split on whitespace and
on every punctuation character, so "t-shirt/top" -> t - shirt / top), a WordPiece model whose
vocabulary holds whole words only (so it behaves as a word-level lookup: an unknown word becomes
<|unk|>), and a TemplateProcessing post-processor adding <|startoftext|> ... <|endoftext|>.
`encode` below re-implements exactly that pipeline so training needs no tokenizer library; a vitest
test proves the JS library produces the same ids.

Ids: 0 <|pad|>, 1 <|unk|>, words sorted, then <|startoftext|>, and <|endoftext|> last: text pooling takes
the position of argmax(input_ids), as Hugging Face CLIP does, so the end token must have the largest id.
"""

import json
import unicodedata

PAD, UNK, SOT, EOT = "<|pad|>", "<|unk|>", "<|startoftext|>", "<|endoftext|>"


def _is_punctuation(ch):
    # Mirrors the JS library's PUNCTUATION_REGEX: \p{P} plus the ASCII symbol ranges.
    code = ord(ch)
    if 0x21 <= code <= 0x2F or 0x3A <= code <= 0x40 or 0x5B <= code <= 0x60 or 0x7B <= code <= 0x7E:
        return True
    return unicodedata.category(ch).startswith("P")


def pre_tokenize(text):
    """Lowercase, then split on whitespace and single punctuation characters (BertPreTokenizer)."""
    words, current = [], []
    for ch in text.lower().strip():
        if ch.isspace() or _is_punctuation(ch):
            if current:
                words.append("".join(current))
                current = []
            if not ch.isspace():
                words.append(ch)
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return words


class CaptionTokenizer:
    def __init__(self, texts, context_length):
        words = sorted({w for text in texts for w in pre_tokenize(text)})
        self.vocab = {PAD: 0, UNK: 1}
        for w in words:
            self.vocab[w] = len(self.vocab)
        self.vocab[SOT] = len(self.vocab)
        self.vocab[EOT] = len(self.vocab)
        self.context_length = context_length

    @classmethod
    def from_vocab(cls, vocab, context_length):
        """The tokenizer of a committed tokenizer.json (its model.vocab)."""
        tokenizer = cls([], context_length)
        tokenizer.vocab = dict(vocab)
        return tokenizer

    @property
    def pad_id(self):
        return self.vocab[PAD]

    @property
    def unk_id(self):
        return self.vocab[UNK]

    @property
    def sot_id(self):
        return self.vocab[SOT]

    @property
    def eot_id(self):
        return self.vocab[EOT]

    def __len__(self):
        return len(self.vocab)

    def encode(self, text):
        """Ids with SOT/EOT, unpadded."""
        return [self.sot_id] + [self.vocab.get(w, self.unk_id) for w in pre_tokenize(text)] + [self.eot_id]

    def encode_padded(self, text):
        ids = self.encode(text)
        if len(ids) > self.context_length:
            raise ValueError(f"caption {text!r} has {len(ids)} tokens; context length is {self.context_length}")
        return ids + [self.pad_id] * (self.context_length - len(ids))

    def to_hf_json(self):
        specials = [PAD, UNK, SOT, EOT]
        added = [
            {
                "id": self.vocab[t],
                "content": t,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for t in specials
        ]
        added.sort(key=lambda a: a["id"])

        def special(t):
            return {"SpecialToken": {"id": t, "type_id": 0}}

        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": {"type": "Lowercase"},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [special(SOT), {"Sequence": {"id": "A", "type_id": 0}}, special(EOT)],
                "pair": [
                    special(SOT),
                    {"Sequence": {"id": "A", "type_id": 0}},
                    special(EOT),
                    {"Sequence": {"id": "B", "type_id": 0}},
                    special(EOT),
                ],
                "special_tokens": {t: {"id": t, "ids": [self.vocab[t]], "tokens": [t]} for t in (SOT, EOT)},
            },
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {
                "type": "WordPiece",
                "unk_token": UNK,
                "continuing_subword_prefix": "##",
                "max_input_chars_per_word": 100,
                "vocab": self.vocab,
            },
        }

    def tokenizer_config(self):
        return {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": self.context_length,
            "bos_token": SOT,
            "eos_token": EOT,
            "pad_token": PAD,
            "unk_token": UNK,
            "do_lower_case": True,
            "clean_up_tokenization_spaces": True,
        }

    def save(self, directory):
        with open(f"{directory}/tokenizer.json", "w") as f:
            json.dump(self.to_hf_json(), f, indent=2, ensure_ascii=False)
            f.write("\n")
        with open(f"{directory}/tokenizer_config.json", "w") as f:
            json.dump(self.tokenizer_config(), f, indent=2)
            f.write("\n")
