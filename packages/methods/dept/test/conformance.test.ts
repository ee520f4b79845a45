import { describeConformance } from '@attune/standard-tests';
import type { PromptTuner } from '../src/method.js';
import { dept, promptTuning } from '../src/plugin.js';
import { loadTask } from '../src/tasks.js';

// Two training steps on eight real parity examples, then greedy predictions on four test inputs.
const parity = loadTask('parity');
const task = {
  name: 'parity',
  train: parity.splits.train.slice(0, 8),
  labels: parity.labels,
  maxLength: parity.maxLength,
};
const exercise = async (method: PromptTuner) => {
  const report = await method.train(task);
  const predictions = await method.predictMany(parity.splits.test.slice(0, 4).map((e) => e.input));
  return { losses: report.losses.map((l) => Number(l.toFixed(5))), predictions };
};

for (const plugin of [dept, promptTuning]) {
  describeConformance({
    plugin,
    config: { steps: 2, warmupSteps: 0, batchSize: 4 },
    exercise,
    leakRepeats: 2,
    timeoutMs: 120_000,
    badConfigs: [
      { label: 'steps = 0', config: { steps: 0 }, path: 'steps' },
      { label: 'lrPrompt = -1', config: { lrPrompt: -1 }, path: 'lrPrompt' },
      { label: 'budgetTokens = 0', config: { budgetTokens: 0 }, path: 'budgetTokens' },
      { label: "overflow = 'drop'", config: { overflow: 'drop' }, path: 'overflow' },
      { label: "predict = 'beam'", config: { predict: 'beam' }, path: 'predict' },
      { label: 'maxLength = 2', config: { maxLength: 2 }, path: 'maxLength' },
      ...(plugin === dept ? [{ label: 'alpha = 0', config: { alpha: 0 }, path: 'alpha' }] : []),
    ],
  });
}
