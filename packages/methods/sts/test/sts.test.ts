// The algorithm on tensors (src/sts.ts), on the real mini-CLIP inputs of fixtures/sts-inputs.json.
import { readFileSync } from 'node:fs';
import { gavishDonohoRank, l2Normalize, tf } from '@attune/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { adaptShift, spectralBasis, steer, steeredPrediction } from '../src/sts.js';

const inputs = JSON.parse(readFileSync(new URL('../fixtures/sts-inputs.json', import.meta.url), 'utf8')) as {
  logitScale: number;
  features: number[][];
  prototypes: { single: number[][]; ensemble: number[][] };
};
const z0 = tf.tensor2d(inputs.prototypes.single);
const features = tf.tidy(() => l2Normalize(tf.tensor2d(inputs.features), 1));
const scale = inputs.logitScale;
const paper = {
  selection: 0.1,
  steps: 1,
  lr: 5e-3,
  weightDecay: 0.01,
  eps: 1e-8,
  lambda: 0,
  predict: 'view0',
} as const;
afterAll(() => tf.dispose([z0, features]));

function disposeResult(r: { logits: tf.Tensor; logitsBefore: tf.Tensor }): void {
  tf.dispose([r.logits, r.logitsBefore]);
}

describe('spectralBasis', () => {
  it('B holds the first k right singular vectors of Z0: orthonormal columns, k by Gavish–Donoho', () => {
    const space = spectralBasis(z0);
    const [C, D] = z0.shape;
    expect(space.rank).toBe(gavishDonohoRank(space.singularValues, C, D));
    expect(space.basis.shape).toEqual([D, space.rank]);
    const gram = tf.tidy(() => tf.matMul(space.basis, space.basis, true, false));
    const identity = tf.eye(space.rank);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(gram, identity))));
    expect(diff.dataSync()[0]).toBeLessThan(1e-5);
    // Z0 projected on all its right singular vectors is Z0 (no mean-centring): ‖Z0 V‖ = ‖S‖ = ‖Z0‖_F
    const sumSq = space.singularValues.reduce((s, x) => s + x * x, 0);
    expect(sumSq).toBeCloseTo(C, 4); // C unit rows
    tf.dispose([gram, identity, diff, space.basis]);
  });

  it('takes a fixed rank, and refuses one above min(C, D) naming the limit', () => {
    const space = spectralBasis(z0, 3);
    expect(space.basis.shape[1]).toBe(3);
    space.basis.dispose();
    expect(() => spectralBasis(z0, 11)).toThrow(/rank 11 .* integer in \[1, 10\]/);
    const vector = tf.zeros([4]) as unknown as tf.Tensor2D;
    expect(() => spectralBasis(vector)).toThrow(/\[C,D\], got \[4\]/);
    vector.dispose();
  });
});

describe('steer (one sample)', () => {
  const space = spectralBasis(z0);
  afterAll(() => space.basis.dispose());

  it('moves every component of γ by about lr on its first AdamW step, and lowers the marginal entropy', () => {
    const r = steer(features, z0, space, scale, paper);
    for (const g of r.gamma) expect(Math.abs(Math.abs(g) - paper.lr)).toBeLessThan(1e-5);
    expect(r.kept.length).toBe(6); // int(64 · 0.1)
    expect(r.entropyAfter).toBeLessThan(r.entropyBefore);
    disposeResult(r);
  });

  it('λ has no effect on one step from γ = 0, and shrinks γ over several steps', () => {
    const plain = steer(features, z0, space, scale, paper);
    const regularised = steer(features, z0, space, scale, { ...paper, lambda: 10 });
    expect([...regularised.gamma]).toEqual([...plain.gamma]);
    const many = { ...paper, steps: 5, lr: 5e-2 };
    const free = steer(features, z0, space, scale, many);
    const held = steer(features, z0, space, scale, { ...many, lambda: 10 });
    const norm = (g: Float32Array) => Math.hypot(...g);
    expect(norm(held.gamma)).toBeLessThan(norm(free.gamma));
    expect(held.losses.length).toBe(5);
    [plain, regularised, free, held].forEach(disposeResult);
  });

  it("'kept-average' predicts from the mean of the kept views' logits", () => {
    const { gamma, kept } = adaptShift(features, z0, space, scale, paper);
    const average = steeredPrediction(features, z0, space, gamma, kept, scale, 'kept-average');
    const view0 = steeredPrediction(features, z0, space, gamma, kept, scale, 'view0');
    const expected = tf.tidy(() => {
      const z = l2Normalize(
        tf.add(z0, tf.reshape(tf.matMul(space.basis, tf.reshape(gamma, [-1, 1])), [1, -1])),
        1,
      );
      const logits = tf.mul(tf.matMul(features, z, false, true), scale);
      return tf.stack([
        tf.mean(tf.gather(logits, [...kept]), 0),
        tf.squeeze(tf.slice(logits, [0, 0], [1, -1])),
      ]);
    });
    const [avg, first] = expected.arraySync() as number[][];
    Array.from(average.logits.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(avg![i]!, 4);
    });
    Array.from(view0.logits.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(first![i]!, 4);
    });
    expect(average.entropyAfter).toBe(view0.entropyAfter);
    tf.dispose([gamma, average.logits, view0.logits, expected]);
  });

  it('keeps no tensors beyond what it returns', () => {
    const before = tf.memory().numTensors;
    const r = steer(features, z0, space, scale, { ...paper, steps: 3, lambda: 1 });
    expect(tf.memory().numTensors).toBe(before + 2);
    disposeResult(r);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses mismatched shapes and a bad logit scale', () => {
    const wrong = tf.zeros([64, 5]) as tf.Tensor2D;
    expect(() => steer(wrong, z0, space, scale, paper)).toThrow(/must share the embedding size D/);
    expect(() => steer(features, z0, space, 0, paper)).toThrow(/logitScale must be a finite number > 0/);
    wrong.dispose();
  });
});
