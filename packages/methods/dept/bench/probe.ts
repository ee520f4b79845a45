// Probe: token lengths per task and the cost of one loss+gradient step.

import { embeddingUpdate, initDeptParams } from '../src/dept.js';
import { PromptLM } from '../src/prompt-lm.js';
import { encodeInput, encodeLabel, trainBatch } from '../src/sequences.js';
import { loadTask, taskNames } from '../src/tasks.js';

const lm = await PromptLM.load('zoo:mini-lm', { threads: 1 });
for (const name of taskNames()) {
  const t = loadTask(name);
  const lens = t.splits.train.map((e) => lm.tokenizer.encode(e.input, true).length).sort((a, b) => a - b);
  const labs = t.labels.map((l) => encodeLabel(lm, l).length);
  console.log(
    name,
    'p50',
    lens[lens.length >> 1],
    'p95',
    lens[Math.floor(lens.length * 0.95)],
    'max',
    lens.at(-1),
    'labels',
    labs,
  );
}
const shape = { promptTokens: 40, rank: 0, maxLength: 64, dim: 128, alpha: 8 };
const init = lm.embed(lm.tokenizer.encode('Answer the question with one word.', false));
const params = initDeptParams(shape, init, Math.random);
const t = loadTask('spam');
const rows = t.splits.train
  .slice(0, 32)
  .map((e) => ({ input: encodeInput(lm, e.input, 64, 'truncate'), label: encodeLabel(lm, e.label) }));
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const b = trainBatch(lm, shape, params, embeddingUpdate(shape, params), rows);
  const t1 = performance.now();
  const { loss, grad } = await lm.lossAndGradient(b);
  const t2 = performance.now();
  console.log(
    'loss',
    loss,
    'T',
    b.length,
    'layout ms',
    (t1 - t0).toFixed(1),
    'vjp ms',
    (t2 - t1).toFixed(1),
    'gradnorm',
    Math.hypot(...grad.subarray(0, 5000)),
  );
}
await lm.dispose();
