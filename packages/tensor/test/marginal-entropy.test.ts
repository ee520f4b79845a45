import { describe, expect, it } from 'vitest';
import { logAverageProbs, MOST_NEGATIVE_FLOAT32, marginalEntropy, tf } from '../src/index.js';
import { maxAbsError, readFixture, withNegativeInfinity } from './support/fixtures.js';
import { tensorsLeakedBy } from './support/leaks.js';

interface SelectionCase {
  shape: [number, number];
  logits: number[];
  selected: number[];
  marginalEntropy64: number;
  marginalEntropy32: number;
  logAverageProbs64: number[];
  gradMarginalEntropy64: number[];
  marginalEntropyOfSelected64: number;
}
interface MaskedCase {
  shape: [number, number];
  logits: (number | null)[];
  marginalEntropy32: number;
  marginalEntropy64: number;
  logAverageProbs32: number[];
}
const fixture = readFixture<{ tpt: SelectionCase; difftpt: SelectionCase; masked: MaskedCase }>(
  'entropy.json',
);

function scalarOf(t: tf.Tensor): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

describe('marginalEntropy', () => {
  it("matches TPT's avg_entropy in torch (float64 reference) on 64 and 127 views", () => {
    for (const c of [fixture.tpt, fixture.difftpt]) {
      const logits = tf.tensor2d(c.logits, c.shape);
      expect(scalarOf(marginalEntropy(logits))).toBeCloseTo(c.marginalEntropy64, 5);
      expect(Math.abs(scalarOf(marginalEntropy(logits)) - c.marginalEntropy32)).toBeLessThan(2e-6);
      const logMean = logAverageProbs(logits);
      expect(logMean.shape).toEqual([c.shape[1]]);
      expect(maxAbsError(logMean.dataSync(), c.logAverageProbs64)).toBeLessThan(2e-6);
      // the TPT loss: marginal entropy of the selected confident views
      const kept = tf.gather(logits, c.selected);
      expect(scalarOf(marginalEntropy(kept))).toBeCloseTo(c.marginalEntropyOfSelected64, 5);
      tf.dispose([logits, logMean, kept]);
    }
  });

  it('floors log p̄ of a class masked in every view at the most negative float32, as torch.clamp does', () => {
    const m = fixture.masked;
    const logits = tf.tensor2d(withNegativeInfinity(m.logits), m.shape);
    const logMean = logAverageProbs(logits);
    const values = logMean.dataSync();
    expect(values[2]).toBe(MOST_NEGATIVE_FLOAT32);
    expect(values[2]).toBe(m.logAverageProbs32[2]);
    expect(maxAbsError(values, m.logAverageProbs32)).toBeLessThan(1e-6);
    const h = scalarOf(marginalEntropy(logits));
    expect(Number.isFinite(h)).toBe(true);
    expect(h).toBeCloseTo(m.marginalEntropy64, 5);
    // and the gradient stays finite (torch's is NaN here: logsumexp backward at -inf − -inf)
    const grad = tf.grad((x: tf.Tensor) => marginalEntropy(x as tf.Tensor2D))(logits);
    expect(grad.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([logits, logMean, grad]);
  });

  it('has the gradient torch autograd computes (float64 reference)', () => {
    for (const c of [fixture.tpt, fixture.difftpt]) {
      const logits = tf.tensor2d(c.logits, c.shape);
      const grad = tf.grad((x: tf.Tensor) => marginalEntropy(x as tf.Tensor2D))(logits);
      const scale = Math.max(...c.gradMarginalEntropy64.map(Math.abs));
      expect(maxAbsError(grad.dataSync(), c.gradMarginalEntropy64) / scale).toBeLessThan(1e-4);
      tf.dispose([logits, grad]);
    }
  });

  it('has a gradient that agrees with central finite differences (float32 tolerance)', () => {
    // Moderate logits so the entropy varies on the scale of the step; float32 limits the agreement to
    // about eps·H/h ≈ 1e-7·2/1e-2 plus the O(h²) truncation.
    const rows = 6;
    const classes = 5;
    const base = Array.from({ length: rows * classes }, (_, i) => Math.sin(1.7 * i) * 1.5);
    const logits = tf.tensor2d(base, [rows, classes]);
    const grad = tf
      .grad((x: tf.Tensor) => marginalEntropy(x as tf.Tensor2D))(logits)
      .dataSync();
    const h = 1e-2;
    const evaluate = (values: number[]) => {
      const t = tf.tensor2d(values, [rows, classes]);
      const v = scalarOf(marginalEntropy(t));
      t.dispose();
      return v;
    };
    let worst = 0;
    for (let i = 0; i < base.length; i++) {
      const plus = [...base];
      const minus = [...base];
      plus[i]! += h;
      minus[i]! -= h;
      const numeric = (evaluate(plus) - evaluate(minus)) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - grad[i]!));
    }
    const scale = Math.max(...Array.from(grad, Math.abs));
    expect(scale).toBeGreaterThan(1e-2);
    expect(worst).toBeLessThan(3e-3 * scale + 2e-5);
    logits.dispose();
  });

  it('is 0 for identical one-hot-like views and log C for uniform ones', () => {
    const confident = tf.tensor2d([
      [50, 0, 0],
      [50, 0, 0],
    ]);
    expect(scalarOf(marginalEntropy(confident))).toBeCloseTo(0, 6);
    const uniform = tf.tensor2d([[1, 1, 1, 1]]);
    expect(scalarOf(marginalEntropy(uniform))).toBeCloseTo(Math.log(4), 6);
    // two confident views that disagree average to a 50/50 prediction
    const disagree = tf.tensor2d([
      [50, 0],
      [0, 50],
    ]);
    expect(scalarOf(marginalEntropy(disagree))).toBeCloseTo(Math.log(2), 6);
    tf.dispose([confident, uniform, disagree]);
  });

  it('rejects wrong ranks, empty inputs and NaN logits with a message naming them', () => {
    const vector = tf.tensor1d([1, 2, 3]);
    expect(() => marginalEntropy(vector as unknown as tf.Tensor2D)).toThrow(
      'expected logits tensor [N,C], got [3]',
    );
    const cube = tf.zeros([2, 3, 4]);
    expect(() => logAverageProbs(cube as tf.Tensor2D)).toThrow('expected logits tensor [N,C], got [2,3,4]');
    const empty = tf.zeros([0, 3]) as tf.Tensor2D;
    expect(() => marginalEntropy(empty)).toThrow(
      'expected logits tensor [N,C] with N >= 1 and C >= 1, got [0,3]',
    );
    const nan = tf.tensor2d([
      [1, 2],
      [Number.NaN, 0],
    ]);
    expect(() => marginalEntropy(nan)).toThrow('logits contain NaN at index [1,0] of a [2,2] tensor');
    tf.dispose([vector, cube, empty, nan]);
  });

  it('leaks no tensors across repeated forward and gradient calls', () => {
    const logits = tf.tensor2d(fixture.tpt.logits, fixture.tpt.shape);
    const lossAndGrad = tf.valueAndGrad((x: tf.Tensor) => marginalEntropy(x as tf.Tensor2D));
    const leaked = tensorsLeakedBy(() => {
      for (let i = 0; i < 10; i++) {
        marginalEntropy(logits).dispose();
        logAverageProbs(logits).dispose();
        const { value, grad } = lossAndGrad(logits);
        tf.dispose([value, grad]);
      }
    });
    expect(leaked).toBe(0);
    logits.dispose();
  });
});
