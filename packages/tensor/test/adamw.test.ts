import { describe, expect, it } from 'vitest';
import { AdamW, type AdamWGroupSpec, tf } from '../src/index.js';
import { maxAbsError, readFixture } from './support/fixtures.js';
import { tensorsLeakedBy } from './support/leaks.js';

interface AdamWCase {
  name: string;
  shapes: number[][];
  groups: { params: number[]; lr: number; weight_decay: number; eps: number; betas?: [number, number] }[];
  missing: [number, number][];
  init: number[][];
  grads: number[][][];
  after: number[][][];
}
const { cases } = readFixture<{ cases: AdamWCase[] }>('adamw.json');

function groupsOf(c: AdamWCase, params: tf.Variable[]): AdamWGroupSpec[] {
  return c.groups.map((g) => ({
    params: g.params.map((i) => params[i]!),
    lr: g.lr,
    weightDecay: g.weight_decay,
    eps: g.eps,
    ...(g.betas ? { betas: g.betas } : {}),
  }));
}

describe('AdamW parity with torch.optim.AdamW', () => {
  for (const c of cases) {
    it(`matches 5 torch steps to 1e-6: ${c.name}`, () => {
      const params = c.init.map((values, i) =>
        tf.variable(tf.tensor(values, c.shapes[i]), true, `${c.name}/p${i}`),
      );
      const optimizer = new AdamW(groupsOf(c, params));
      c.grads.forEach((stepGrads, step) => {
        const grads = stepGrads.map((g, i) =>
          c.missing.some(([s, p]) => s === step && p === i) ? null : tf.tensor(g, c.shapes[i]),
        );
        // the gradient list follows optimizer.params, which is group order
        const byParam = new Map(params.map((p, i) => [p, grads[i]]));
        optimizer.step(optimizer.params.map((p) => byParam.get(p)));
        tf.dispose(grads.filter((g): g is tf.Tensor => g !== null));
        params.forEach((p, i) => {
          expect(
            maxAbsError(p.dataSync(), c.after[step]![i]!),
            `${c.name} step ${step + 1} param ${i}`,
          ).toBeLessThan(1e-6);
        });
      });
      optimizer.dispose();
      tf.dispose(params);
    });
  }
});

describe('AdamW behaviour', () => {
  it('moves each parameter by about lr·sign(grad) on its first step (plus decay), whatever the scale', () => {
    const p = tf.variable(tf.tensor1d([1, 1, 1, 1]));
    const optimizer = new AdamW([p], { lr: 5e-3, weightDecay: 0.01 });
    const g = tf.tensor1d([1e3, -1e-3, 2, -7]);
    optimizer.step([g]);
    const decayed = 1 * (1 - 5e-3 * 0.01);
    const moved = Array.from(p.dataSync(), (v) => v - decayed);
    expect(maxAbsError(moved, [-5e-3, 5e-3, -5e-3, 5e-3])).toBeLessThan(1e-6);
    expect(optimizer.stepCount(p)).toBe(1);
    tf.dispose([p, g]);
    optimizer.dispose();
  });

  it('accepts gradients keyed by variable name, as tf.variableGrads returns them', () => {
    const w = tf.variable(tf.tensor1d([0.5, -0.5]), true, 'adamw-test/w');
    const optimizer = new AdamW([w], { lr: 0.1, weightDecay: 0 });
    const target = tf.tensor1d([2, 2]);
    for (let i = 0; i < 60; i++) {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar, [w]);
      optimizer.step(grads);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(maxAbsError(w.dataSync(), [2, 2])).toBeLessThan(0.1);
    tf.dispose([w, target]);
    optimizer.dispose();
  });

  it('reset() forgets moments and step counts, so the next step is a first step again', () => {
    const p = tf.variable(tf.tensor1d([0, 0]));
    const optimizer = new AdamW([p], { lr: 1e-2, weightDecay: 0 });
    const g1 = tf.tensor1d([1, -1]);
    const g2 = tf.tensor1d([-3, 0.5]);
    optimizer.step([g1]);
    optimizer.reset();
    expect(optimizer.stepCount(p)).toBe(0);
    p.assign(tf.zeros([2]));
    optimizer.step([g2]);
    // a fresh state's first step is -lr·sign(g) (up to eps)
    expect(maxAbsError(p.dataSync(), [1e-2, -1e-2])).toBeLessThan(1e-6);
    tf.dispose([p, g1, g2]);
    optimizer.dispose();
  });

  it('keeps its state when step() runs inside a caller tf.tidy, and leaks nothing', () => {
    const p = tf.variable(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    );
    const optimizer = new AdamW([p]);
    const leaked = tensorsLeakedBy(() => {
      for (let i = 0; i < 5; i++) {
        tf.tidy(() => optimizer.step([tf.onesLike(p)]));
      }
      optimizer.reset();
    });
    expect(leaked).toBe(0);
    tf.tidy(() => optimizer.step([tf.onesLike(p)]));
    tf.tidy(() => optimizer.step([tf.onesLike(p)]));
    expect(optimizer.stepCount(p)).toBe(2);
    const before = tf.memory().numTensors;
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before - 2); // its two moment tensors
    expect(() => optimizer.step([tf.onesLike(p)])).toThrow('AdamW.step called after dispose()');
    p.dispose();
  });

  it('rejects bad configuration and mismatched gradients with clear messages', () => {
    const a = tf.variable(tf.zeros([2, 3]), true, 'adamw-test/a');
    const b = tf.variable(tf.zeros([4]), true, 'adamw-test/b');
    expect(() => new AdamW([])).toThrow('AdamW got an empty parameter list');
    expect(() => new AdamW([a], { lr: -1 })).toThrow('AdamW: lr must be a finite number >= 0, got -1');
    expect(() => new AdamW([a], { betas: [0.9, 1] })).toThrow('AdamW: betas[1] must be in [0, 1), got 1');
    expect(() => new AdamW([{ params: [a] }, { params: [a, b] }])).toThrow(
      "AdamW: parameter 'adamw-test/a' appears in more than one parameter group",
    );
    const optimizer = new AdamW([{ params: [a] }, { params: [b], lr: 0.3 }]);
    expect(optimizer.paramGroups.map((g) => g.lr)).toEqual([1e-3, 0.3]);
    const wrongShape = tf.zeros([3, 2]);
    expect(() => optimizer.step([wrongShape, null])).toThrow(
      "AdamW.step: gradient of 'adamw-test/a' has shape [3,2], expected [2,3]",
    );
    expect(() => optimizer.step([wrongShape])).toThrow(
      'AdamW.step: expected 2 gradients (one per parameter), got 1',
    );
    expect(() => optimizer.step({ 'adamw-test/zzz': wrongShape })).toThrow(
      "AdamW.step: got a gradient for 'adamw-test/zzz', which is not a parameter of this optimizer",
    );
    tf.dispose([a, b, wrongShape]);
    optimizer.dispose();
  });
});
