import { CAPABILITY } from '@attune/contracts';
import { definePlugin } from '@attune/registry';
import { deptConfig, promptTuningConfig } from './config.js';
import { PromptTuner } from './method.js';

const version = '0.1.0';

/** DePT: a short soft prompt plus a low-rank update of the input embeddings, at prompt tuning's budget. */
export const dept = definePlugin({
  name: 'dept',
  kind: 'method',
  version,
  description:
    'DePT (Shi & Lipani, ICLR 2024): trains a short soft prompt P and a low-rank update (α/√r)·A·B of the input embeddings of a frozen causal LM, at the trainable-parameter budget of vanilla prompt tuning; PEFT-style adapters.',
  config: deptConfig,
  needs: [],
  provides: [CAPABILITY.promptTuning],
  create: async (config) => PromptTuner.create({ ...config, variant: 'dept' }),
});

/** Vanilla prompt tuning (L soft tokens), DePT's baseline at the same budget. */
export const promptTuning = definePlugin({
  name: 'prompt-tuning',
  kind: 'method',
  version,
  description:
    'Vanilla prompt tuning (Lester et al., 2021): L trainable soft tokens before the input of a frozen causal LM; the baseline DePT is compared with at an equal parameter budget.',
  config: promptTuningConfig,
  needs: [],
  provides: [CAPABILITY.promptTuning],
  create: async (config) =>
    PromptTuner.create({
      ...config,
      variant: 'prompt-tuning',
      promptTokens: config.budgetTokens,
      alpha: 8,
      lrLora: 0,
    }),
});

export default [dept, promptTuning];
