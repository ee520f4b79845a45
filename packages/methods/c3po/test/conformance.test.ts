import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { moeLMPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import { describeConformance } from '@attune/standard-tests';
import type { C3poRemixer } from '../src/method.js';
import { c3po } from '../src/plugin.js';

// NGD (2 steps, to keep it short) on one real sentiment question of zoo:mini-moe.
const exercise = async (method: C3poRemixer) => {
  const out = await method.answer({ prompt: 'Is the word "splendid" positive or negative?' });
  return {
    answer: out.answer,
    base: out.base.answer,
    neighbours: out.neighbours.map((n) => n.key),
    remixed: out.routing.remixed.map((r) => r.weights.map((w) => Number(w.toFixed(5)))),
  };
};

describeConformance({
  plugin: c3po,
  // The MoE LM comes through the registry: the backend and the 'moe-lm' model plugin beside c3po.
  registry: () => new Registry().register(onnxBackendPlugin).register(moeLMPlugin).register(c3po),
  config: { variant: 'ngd', steps: 2 },
  exercise,
  leakRepeats: 1,
  timeoutMs: 240_000,
  badConfigs: [
    { label: "variant = 'sgd-remix'", config: { variant: 'sgd-remix' }, path: 'variant' },
    { label: 'k = 0', config: { k: 0 }, path: 'k' },
    { label: 'steps = 0', config: { steps: 0 }, path: 'steps' },
    { label: 'lrMax = -1', config: { lrMax: -1 }, path: 'lrMax' },
    { label: "gradients = 'tfjs'", config: { gradients: 'tfjs' }, path: 'gradients' },
    { label: "kernel = 'laplace'", config: { kernel: 'laplace' }, path: 'kernel' },
  ],
});
