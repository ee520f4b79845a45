// One training step against the torch reference (scripts/dept_reference.py on fixtures/dept-inputs.json):
// the loss on the label tokens, the gradients of P, A and B through zoo:mini-lm's VJP graph, and the
// parameters after one AdamW step with two parameter groups — DePT and prompt tuning, to 1e-4.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeptShape } from '../src/dept.js';
import { PromptLM } from '../src/prompt-lm.js';
import { PARAM_NAMES, TrainStep } from '../src/train-step.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
interface Case {
  name: string;
  shape: DeptShape;
  params: { prompt: number[]; loraA: number[]; loraB: number[] };
}
const inputs = JSON.parse(readFileSync(join(FIXTURES, 'dept-inputs.json'), 'utf8')) as {
  rows: { input: number[]; label: number[] }[];
  cases: Case[];
  optimizer: {
    lrPrompt: number;
    lrLora: number;
    eps: number;
    weightDecay: number;
    warmupSteps: number;
    steps: number;
  };
};
const reference = JSON.parse(readFileSync(join(FIXTURES, 'dept-step.json'), 'utf8')) as {
  cases: { name: string; loss: number; grads: Record<string, number[]>; after: Record<string, number[]> }[];
};

/** max |a − b| / max(1, max |b|). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

let lm: PromptLM;
beforeAll(async () => {
  lm = await PromptLM.load('zoo:mini-lm', { threads: 1 });
});
afterAll(async () => {
  await lm?.dispose();
});

describe.each(inputs.cases.map((c) => [c.name, c] as const))('one step against torch: %s', (name, c) => {
  const ref = reference.cases.find((r) => r.name === name)!;
  const rows = inputs.rows.map((r) => ({ input: { ids: r.input, truncated: 0 }, label: r.label }));
  const initial = {
    prompt: Float32Array.from(c.params.prompt),
    loraA: Float32Array.from(c.shape.rank > 0 ? c.params.loraA : []),
    loraB: Float32Array.from(c.shape.rank > 0 ? c.params.loraB : []),
  };
  const settings = { ...inputs.optimizer, batchSize: rows.length, seed: 0 };

  it('loss and gradients of P, A, B match to 1e-4', async () => {
    const trainer = new TrainStep(lm, c.shape, settings, initial);
    try {
      const { loss, grads } = await trainer.gradients(rows);
      expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-4);
      expect(relativeError(grads.prompt, ref.grads.prompt!)).toBeLessThan(1e-4);
      if (c.shape.rank > 0) {
        expect(relativeError(grads.loraA, ref.grads.loraA!)).toBeLessThan(1e-4);
        expect(relativeError(grads.loraB, ref.grads.loraB!)).toBeLessThan(1e-4);
        // The low-rank gradients are not trivially zero (B ≠ 0 in the fixture).
        expect(Math.max(...grads.loraA.map(Math.abs))).toBeGreaterThan(1e-6);
      }
    } finally {
      trainer.dispose();
    }
  });

  it("AdamW with two groups (eps 1e-6, wd 0) applied to torch's gradients gives torch's parameters to 1e-6", () => {
    const trainer = new TrainStep(lm, c.shape, settings, initial);
    try {
      const { promptTokens: m, rank: r, maxLength: s, dim: d } = c.shape;
      const grads: tf.NamedTensorMap = { [PARAM_NAMES.prompt]: tf.tensor2d(ref.grads.prompt!, [m, d]) };
      if (r > 0) {
        grads[PARAM_NAMES.loraA] = tf.tensor2d(ref.grads.loraA!, [s, r]);
        grads[PARAM_NAMES.loraB] = tf.tensor2d(ref.grads.loraB!, [r, d]);
      }
      trainer.applyGradients(grads);
      tf.dispose(Object.values(grads));
      const after = trainer.params();
      expect(relativeError(after.prompt, ref.after.prompt!)).toBeLessThan(1e-6);
      if (r > 0) {
        expect(relativeError(after.loraA, ref.after.loraA!)).toBeLessThan(1e-6);
        expect(relativeError(after.loraB, ref.after.loraB!)).toBeLessThan(1e-6);
      }
      // The update moved P by about lr (Adam's first step is ±lr per coordinate).
      expect(relativeError(after.prompt, initial.prompt)).toBeGreaterThan(0.1 * inputs.optimizer.lrPrompt);
    } finally {
      trainer.dispose();
    }
  });

  it("the whole step (gradients through the LM, then AdamW) lands on torch's parameters to 5e-4", async () => {
    // Looser than the gradients' 1e-4 for a known reason: Adam's first step is lr·g/(|g| + 1e-6), so on a
    // coordinate with |g| near 1e-6 a float32 difference of ~1e-10 in g moves it by ~lr·1e-4.
    const trainer = new TrainStep(lm, c.shape, settings, initial);
    try {
      await trainer.step(rows);
      const after = trainer.params();
      expect(relativeError(after.prompt, ref.after.prompt!)).toBeLessThan(5e-4);
      if (c.shape.rank > 0) {
        expect(relativeError(after.loraA, ref.after.loraA!)).toBeLessThan(5e-4);
        expect(relativeError(after.loraB, ref.after.loraB!)).toBeLessThan(5e-4);
      }
    } finally {
      trainer.dispose();
    }
  });
});
