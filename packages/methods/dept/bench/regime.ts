// Regime probe: does prompt tuning on zoo:mini-lm learn a task at all? Trains PT (L tokens) for N steps and
// prints validation accuracy (greedy decoding) before and after.
import { createRng } from '@attune/tensor';
import { embeddingUpdate, initDeptParams } from '../src/dept.js';
import { PromptLM } from '../src/prompt-lm.js';
import { encodeInput, encodeLabel, greedyDecode } from '../src/sequences.js';
import { loadTask } from '../src/tasks.js';
import { batchIndices, TrainStep } from '../src/train-step.js';

const [task = 'spam', S = '64', STEPS = '100', L = '40', R = '0', LR = '0.3'] = process.argv.slice(2);
const lm = await PromptLM.load('zoo:mini-lm', { threads: 1 });
const t = loadTask(task);
const s = Number(S);
const r = Number(R);
const shape = { promptTokens: Number(L), rank: r, maxLength: s, dim: 128, alpha: 8 };
const rows = t.splits.train.map((e) => ({
  input: encodeInput(lm, e.input, s, 'truncate'),
  label: encodeLabel(lm, e.label),
}));
const val = t.splits.validation.map((e) => ({
  input: encodeInput(lm, e.input, s, 'truncate'),
  label: e.label,
}));
const rng = createRng(0).fork('init');
const init = initDeptParams(
  shape,
  lm.embed(lm.tokenizer.encode(`Is this ${t.labels.join(' or ')}?`, false)),
  () => rng.uniform(),
);
const settings = {
  steps: Number(STEPS),
  batchSize: 32,
  lrPrompt: Number(LR),
  lrLora: 1e-3,
  warmupSteps: Math.round(Number(STEPS) / 10),
  eps: 1e-6,
  weightDecay: 0,
  seed: 0,
};
const trainer = new TrainStep(lm, shape, settings, init);
async function acc() {
  const p = trainer.params();
  const u = embeddingUpdate(shape, p);
  let correct = 0;
  const counts: Record<string, number> = {};
  for (let i = 0; i < val.length; i += 64) {
    const chunk = val.slice(i, i + 64);
    const out = await greedyDecode(
      lm,
      shape,
      p,
      u,
      chunk.map((c) => c.input),
      5,
    );
    out.forEach((ids, j) => {
      const text = lm.tokenizer.decode(ids).trim();
      counts[text] = (counts[text] ?? 0) + 1;
      if (text === chunk[j]!.label) correct++;
    });
  }
  return {
    acc: correct / val.length,
    counts: Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4),
  };
}
console.log('before', JSON.stringify(await acc()));
const t0 = performance.now();
for (let k = 0; k < settings.steps; k++) {
  const idx = batchIndices(k, 32, rows.length, 0);
  const { loss } = await trainer.step(idx.map((i) => rows[i]!));
  if (k % 10 === 0 || k === settings.steps - 1)
    console.log(
      'step',
      k,
      'loss',
      loss.toFixed(4),
      'ms/step',
      ((performance.now() - t0) / (k + 1)).toFixed(0),
    );
  if ((k + 1) % 100 === 0) console.log('after', k + 1, JSON.stringify(await acc()));
}
await lm.dispose();
