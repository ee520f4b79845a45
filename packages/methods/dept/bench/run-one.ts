// One benchmark run in its own process (so its peak memory is its own): train a variant on a task with a seed,
// score validation (learning curve) and test, print one JSON line. Called by bench/pt-vs-dept.ts.

import { deptConfig } from '../src/config.js';
import { loadTask, PromptTuner } from '../src/index.js';

const spec = JSON.parse(process.argv[2]!) as {
  model: string;
  task: string;
  variant: 'dept' | 'prompt-tuning' | 'zero-shot';
  predict?: 'greedy' | 'score';
  promptTokens: number;
  budgetTokens: number;
  seed: number;
  steps: number;
  batchSize: number;
  evalEvery: number;
  evalLimit: number;
  /** Overrides of the config's lrs (the regime probes). */
  lrPrompt?: number;
  lrLora?: number;
};
const task = loadTask(spec.task);
const settings = deptConfig.parse({
  model: spec.model,
  budgetTokens: spec.budgetTokens,
  promptTokens: spec.variant === 'dept' ? spec.promptTokens : 'auto',
  steps: spec.steps,
  warmupSteps: Math.round(spec.steps / 10),
  batchSize: spec.batchSize,
  seed: spec.seed,
  predict: spec.predict ?? 'greedy',
  ...(spec.lrPrompt !== undefined ? { lrPrompt: spec.lrPrompt } : {}),
  ...(spec.lrLora !== undefined ? { lrLora: spec.lrLora } : {}),
});
if (spec.variant === 'zero-shot') {
  const tuner = await PromptTuner.create({ ...settings, variant: 'prompt-tuning' });
  tuner.useNoAdapter(task.name, task.labels, task.maxLength);
  const test = await tuner.evaluate(task.splits.test);
  console.log(
    JSON.stringify({
      ...spec,
      testAccuracy: test.accuracy,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  await tuner.dispose();
  process.exit(0);
}
const tuner = await PromptTuner.create({
  ...settings,
  variant: spec.variant as 'dept' | 'prompt-tuning',
  ...(spec.variant === 'prompt-tuning' ? { promptTokens: spec.budgetTokens } : {}),
});
try {
  const report = await tuner.train(
    {
      name: task.name,
      train: task.splits.train,
      validation: task.splits.validation,
      labels: task.labels,
      maxLength: task.maxLength,
    },
    { evalEvery: spec.evalEvery, evalLimit: spec.evalLimit },
  );
  const test = await tuner.evaluate(task.splits.test);
  // The same adapter, predicting by label scoring instead of greedy decoding (the option the README names).
  const scoring = new PromptTuner(tuner.lm, { ...tuner.settings, predict: 'score' });
  await scoring.loadAdapterFrom(tuner.current!);
  const testScore = await scoring.evaluate(task.splits.test);
  const usage = process.resourceUsage();
  console.log(
    JSON.stringify({
      ...spec,
      shape: report.shape,
      trainableParameters: report.trainableParameters,
      msPerStep: report.msPerStep,
      tokensPerStep: report.tokensPerStep,
      losses: report.losses,
      curve: report.curve,
      validationAccuracy: report.validationAccuracy,
      testAccuracy: test.accuracy,
      testAccuracyScore: testScore.accuracy,
      testPredictions: Object.entries(
        test.predictions.reduce<Record<string, number>>(
          (acc, p) => ({ ...acc, [p.prediction]: (acc[p.prediction] ?? 0) + 1 }),
          {},
        ),
      )
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4),
      truncated: report.truncated,
      peakRssMiB: Math.round(usage.maxRSS / 1024),
      trainMs: report.ms.total,
    }),
  );
} finally {
  await tuner.dispose();
}
