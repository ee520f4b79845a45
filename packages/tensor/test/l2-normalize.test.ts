import { describe, expect, it } from 'vitest';
import { l2Normalize, tf } from '../src/index.js';
import { maxAbsError } from './support/fixtures.js';
import { tensorsLeakedBy } from './support/leaks.js';

describe('l2Normalize', () => {
  it('gives unit rows (default last axis) and unit columns (axis 0)', () => {
    const x = tf.tensor2d([
      [3, 4],
      [1, 0],
    ]);
    const rows = l2Normalize(x);
    expect(maxAbsError(rows.dataSync(), [0.6, 0.8, 1, 0])).toBeLessThan(1e-7);
    const cols = l2Normalize(x, 0);
    const n0 = Math.sqrt(10);
    expect(maxAbsError(cols.dataSync(), [3 / n0, 1, 1 / n0, 0])).toBeLessThan(1e-7);
    tf.dispose([x, rows, cols]);
  });

  it('maps a zero vector to zeros with a finite gradient instead of NaN', () => {
    const zero = tf.zeros([1, 3]);
    const out = l2Normalize(zero);
    expect(Array.from(out.dataSync())).toEqual([0, 0, 0]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(l2Normalize(x)))(zero);
    expect(grad.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([zero, out, grad]);
  });

  it('has the analytic gradient (I − x̂x̂ᵀ)/‖x‖ · dy', () => {
    const x = tf.tensor1d([1, 2, 2]); // ‖x‖ = 3
    const dy = [0.5, -1, 2];
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(l2Normalize(t), tf.tensor1d(dy))))(x);
    const xhat = [1 / 3, 2 / 3, 2 / 3];
    const dot = xhat.reduce((s, v, i) => s + v * dy[i]!, 0);
    const expected = dy.map((d, i) => (d - xhat[i]! * dot) / 3);
    expect(maxAbsError(grad.dataSync(), expected)).toBeLessThan(1e-6);
    tf.dispose([x, grad]);
  });

  it('rejects a bad axis and leaks nothing', () => {
    const x = tf.tensor2d([[1, 2]]);
    expect(() => l2Normalize(x, 3)).toThrow('axis 3 is out of range for a tensor of rank 2');
    expect(tensorsLeakedBy(() => l2Normalize(x).dispose())).toBe(0);
    x.dispose();
  });
});
