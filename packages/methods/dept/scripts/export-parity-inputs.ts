// Writes fixtures/dept-inputs.json: token ids of a few real training examples (spam and parity), the shapes,
// initial parameters and optimizer settings of a one-step DePT and a one-step prompt-tuning case. The torch
// reference (scripts/dept_reference.py) reads it and writes fixtures/dept-step.json, which test/parity.test.ts
// compares with this package's step. `pnpm fixtures` runs both.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@attune/tensor';
import { initDeptParams } from '../src/dept.js';
import { PromptLM } from '../src/prompt-lm.js';
import { encodeInput, encodeLabel } from '../src/sequences.js';
import { loadTask } from '../src/tasks.js';

const lm = await PromptLM.load('zoo:mini-lm', { threads: 1 });
const s = 32;
const examples = [
  ...loadTask('spam').splits.train.slice(0, 2),
  ...loadTask('parity').splits.train.slice(0, 2),
];
const rows = examples.map((e) => ({
  input: encodeInput(lm, e.input, s, 'truncate').ids,
  label: encodeLabel(lm, e.label),
}));
const rng = createRng(7);
const cases = [
  { name: 'dept', promptTokens: 5, rank: 4 },
  { name: 'prompt-tuning', promptTokens: 8, rank: 0 },
].map(({ name, promptTokens, rank }) => {
  const shape = { promptTokens, rank, maxLength: s, dim: lm.dim, alpha: 8 };
  const init = initDeptParams(shape, lm.embed(lm.tokenizer.encode('Is this spam or ham?', false)), () =>
    rng.uniform(),
  );
  // B = 0 at initialisation makes dA = 0; a B as after some training exercises both low-rank gradients.
  const loraB = init.loraB.map(() => rng.normal(0, 0.05));
  return {
    name,
    shape,
    params: { prompt: Array.from(init.prompt), loraA: Array.from(init.loraA), loraB: Array.from(loraB) },
  };
});
const optimizer = {
  lrPrompt: 0.3,
  lrLora: 5e-3,
  eps: 1e-6,
  weightDecay: 0,
  betas: [0.9, 0.999],
  warmupSteps: 0,
  steps: 10,
};
writeFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'dept-inputs.json'),
  `${JSON.stringify({ model: 'zoo:mini-lm', padTokenId: lm.config.padTokenId, rows, cases, optimizer })}\n`,
);
await lm.dispose();
console.log('wrote fixtures/dept-inputs.json');
