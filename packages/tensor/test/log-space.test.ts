import { describe, expect, it } from 'vitest';
import { entropy, logSoftmax, logsumexp, softmax, tf } from '../src/index.js';
import { maxAbsError, maxRelativeError, readFixture } from './support/fixtures.js';
import { tensorsLeakedBy } from './support/leaks.js';

interface SelectionCase {
  shape: [number, number];
  logits: number[];
  rowEntropy: number[];
}
const fixture = readFixture<{ tpt: SelectionCase; difftpt: SelectionCase }>('entropy.json');

describe('logsumexp', () => {
  it('is stable for large values and matches the direct formula for small ones', () => {
    const big = logsumexp(tf.tensor1d([1000, 1000]));
    expect(big.dataSync()[0]).toBeCloseTo(1000 + Math.log(2), 3);
    const small = logsumexp(
      tf.tensor2d([
        [0.1, -0.3, 0.7],
        [2, 1, 0],
      ]),
      1,
    );
    const direct = [
      Math.log(Math.exp(0.1) + Math.exp(-0.3) + Math.exp(0.7)),
      Math.log(Math.exp(2) + Math.exp(1) + 1),
    ];
    expect(maxRelativeError(small.dataSync(), direct)).toBeLessThan(1e-6);
    tf.dispose([big, small]);
  });

  it('gives -Infinity (not NaN) for an all -Infinity slice, and keeps dims on request', () => {
    const x = tf.tensor2d([
      [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
      [0, Number.NEGATIVE_INFINITY],
    ]);
    const out = logsumexp(x, -1, true);
    expect(out.shape).toEqual([2, 1]);
    expect(Array.from(out.dataSync())).toEqual([Number.NEGATIVE_INFINITY, 0]);
    tf.dispose([x, out]);
  });

  it('has gradient softmax(x), and zero where the result is not finite', () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ]);
    const grad = tf.grad((input: tf.Tensor) => tf.sum(logsumexp(input, 1)))(x);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const total = e[0]! + e[1]! + e[2]!;
    const values = grad.dataSync();
    expect(
      maxRelativeError(
        values.slice(0, 3),
        e.map((v) => v / total),
      ),
    ).toBeLessThan(1e-6);
    expect(Array.from(values.slice(3))).toEqual([0, 0, 0]);
    tf.dispose([x, grad]);
  });

  it('rejects an out-of-range axis and scalars', () => {
    const x = tf.tensor2d([[1, 2]]);
    expect(() => logsumexp(x, 2)).toThrow(
      'axis 2 is out of range for a tensor of rank 2; expected an integer in [-2, 1]',
    );
    const s = tf.scalar(1);
    expect(() => logsumexp(s)).toThrow('expected a tensor with at least one axis, got []');
    tf.dispose([x, s]);
  });
});

describe('logSoftmax / softmax', () => {
  it('normalise along any axis (tf.logSoftmax only does the last)', () => {
    const x = tf.tensor2d([
      [1, 5],
      [3, 2],
      [0, -1],
    ]);
    const p = softmax(x, 0);
    const columnSums = tf.sum(p, 0);
    expect(maxRelativeError(columnSums.dataSync(), [1, 1])).toBeLessThan(1e-6);
    const lp = logSoftmax(x, 0);
    const expected = Math.log(Math.exp(1) / (Math.exp(1) + Math.exp(3) + 1));
    expect(lp.dataSync()[0]).toBeCloseTo(expected, 6);
    tf.dispose([x, p, columnSums, lp]);
  });
});

describe('logSoftmax accuracy and gradient', () => {
  it('keeps the log-probability of a dominant class accurate (max subtracted first, as torch)', () => {
    const lp = logSoftmax(tf.tensor1d([10, 0]));
    const exact = -Math.log1p(Math.exp(-10)); // -4.5398899e-5
    // x − logsumexp(x) would round at the magnitude 10 (ulp 9.5e-7, a 1% error here)
    expect(Math.abs(lp.dataSync()[0]! / exact - 1)).toBeLessThan(3e-3);
    lp.dispose();
  });

  it('has gradient dy − softmax(x)·Σdy', () => {
    const x = tf.tensor2d([
      [0.5, -1, 2],
      [3, 3, -2],
    ]);
    const w = tf.tensor2d([
      [1, 0, -2],
      [0.5, 0.5, 4],
    ]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(logSoftmax(t), w)))(x);
    const probs = softmax(x);
    const p = probs.arraySync() as number[][];
    const wv = w.arraySync() as number[][];
    const expected = wv.flatMap((row, i) => {
      const total = row.reduce((s, v) => s + v, 0);
      return row.map((v, j) => v - p[i]![j]! * total);
    });
    expect(maxAbsError(grad.dataSync(), expected)).toBeLessThan(1e-6);
    tf.dispose([x, w, grad, probs]);
  });
});

describe('entropy', () => {
  it('matches torch (TPT batch_entropy) per row on CLIP-scale logits', () => {
    for (const c of [fixture.tpt, fixture.difftpt]) {
      const logits = tf.tensor2d(c.logits, c.shape);
      const h = entropy(logits);
      expect(h.shape).toEqual([c.shape[0]]);
      // float32 vs torch float64 on the same float32 logits: a few float32 ulps of entropies up to ~2.3 nats
      expect(maxAbsError(h.dataSync(), c.rowEntropy)).toBeLessThan(1e-6);
      tf.dispose([logits, h]);
    }
  });

  it('is log C for uniform logits, 0 for a one-hot limit, and finite with masked classes', () => {
    const logits = tf.tensor2d([
      [2, 2, 2, 2],
      [0, -1e4, -1e4, -1e4],
      [1, Number.NEGATIVE_INFINITY, 1, Number.NEGATIVE_INFINITY],
    ]);
    const h = entropy(logits).dataSync();
    expect(h[0]).toBeCloseTo(Math.log(4), 6);
    expect(h[1]).toBeCloseTo(0, 6);
    // torch's -(softmax * log_softmax).sum() is NaN here (0 · -inf); the floor at min float32 gives log 2.
    expect(h[2]).toBeCloseTo(Math.log(2), 6);
    logits.dispose();
  });

  it('names NaN and +Infinity logits with their position', () => {
    const nan = tf.tensor2d([
      [0, 1],
      [2, Number.NaN],
    ]);
    expect(() => entropy(nan)).toThrow(
      'logits contain NaN at index [1,1] of a [2,2] tensor; expected finite values (or -Infinity for a masked class)',
    );
    const inf = tf.tensor1d([0, Number.POSITIVE_INFINITY]);
    expect(() => entropy(inf)).toThrow('logits contain +Infinity at index [1] of a [2] tensor');
    const ints = tf.tensor1d([1, 2], 'int32');
    expect(() => entropy(ints)).toThrow('expected float32 logits, got int32');
    tf.dispose([nan, inf, ints]);
  });

  it('leaks no tensors, including on the error path', () => {
    const logits = tf.tensor2d(fixture.tpt.logits, fixture.tpt.shape);
    const nan = tf.tensor1d([Number.NaN]);
    const leaked = tensorsLeakedBy(() => {
      for (let i = 0; i < 10; i++) {
        entropy(logits).dispose();
        logsumexp(logits, 0).dispose();
        softmax(logits).dispose();
        expect(() => entropy(nan)).toThrow(/NaN/);
      }
    });
    expect(leaked).toBe(0);
    tf.dispose([logits, nan]);
  });
});
