// Writes results/token-ids.json: every task split as token ids of a zoo LM (input fitted to the task's s, label
// tokens + end), and a decode table, for the torch full fine-tuning reference (bench/full_finetune.py).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PromptLM } from '../src/prompt-lm.js';
import { encodeInput, encodeLabel } from '../src/sequences.js';
import { loadTask, taskNames } from '../src/tasks.js';

// The model whose tokenizer to use (zoo:mini-lm-t shares mini-lm's): `tsx bench/export-token-ids.ts [model]`.
const lm = await PromptLM.load(process.argv[2] ?? 'zoo:mini-lm', { threads: 1 });
const tasks: Record<string, unknown> = {};
for (const name of taskNames()) {
  const t = loadTask(name);
  const split = (examples: typeof t.splits.train) =>
    examples.map((e) => ({
      input: encodeInput(lm, e.input, t.maxLength, 'truncate').ids,
      label: encodeLabel(lm, e.label),
      labelText: e.label,
    }));
  tasks[name] = {
    maxLength: t.maxLength,
    train: split(t.splits.train),
    validation: split(t.splits.validation),
    test: split(t.splits.test),
  };
}
const decode: Record<number, string> = {};
for (let i = 0; i < lm.config.vocabSize; i++) decode[i] = lm.tokenizer.decode([i]);
writeFileSync(
  join(import.meta.dirname, '..', 'results', 'token-ids.json'),
  JSON.stringify({ padTokenId: lm.config.padTokenId, eosTokenId: lm.config.eosTokenId, decode, tasks }),
);
await lm.dispose();
