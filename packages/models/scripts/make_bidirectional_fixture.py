"""Writes fixtures/tiny-clip-bidirectional/: tiny-clip (make_fixtures.py, same seed and weights) with the text
tower's causal mask removed, so every position attends to the padding after the end token — a stand-in for a
foreign export that is not causal. The padding then changes the EOT feature, and attune's `padding: 'auto'`
must measure that and keep the full context (test/padding.test.ts).

    /usr/bin/python3 packages/models/scripts/make_bidirectional_fixture.py   (needs what make_fixtures.py needs)
"""

import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("make_fixtures", os.path.join(HERE, "make_fixtures.py"))
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

import torch  # noqa: E402


def main():
    model, tokenizer = fixtures.make_model()
    with torch.no_grad():
        model.text.causal_mask.zero_()
    fixtures.write_folder(model, tokenizer, os.path.join(fixtures.FIXTURES, "tiny-clip-bidirectional"))


if __name__ == "__main__":
    main()
