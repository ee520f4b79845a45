import { describe, expect, it } from 'vitest';
import { tf, topK } from '../src/index.js';
import { tensorsLeakedBy } from './support/leaks.js';

describe('topK', () => {
  it('returns the k largest of an array, largest first, ties by lower index', () => {
    expect(topK([1, 3, -2, 3, 2], 3)).toEqual({ values: [3, 3, 2], indices: [1, 3, 4] });
    expect(topK(Float32Array.from([0.5, -1, 4]), 1)).toEqual({ values: [4], indices: [2] });
  });

  it('works along the last axis of a tensor, per row', () => {
    const x = tf.tensor2d([
      [0.1, 0.9, 0.5],
      [3, 1, 2],
    ]);
    const { values, indices } = topK(x, 2);
    expect(values.shape).toEqual([2, 2]);
    expect(Array.from(values.dataSync())).toEqual([0.9, 0.5, 3, 2].map(Math.fround));
    expect(Array.from(indices.dataSync())).toEqual([1, 2, 0, 2]);
    tf.dispose([x, values, indices]);
  });

  it('rejects k > n, k < 1 and NaN, naming the problem', () => {
    expect(() => topK([1, 2, 3], 4)).toThrow('k = 4 exceeds the 3 values to choose from; expected k <= 3');
    expect(() => topK([1, 2, 3], 0)).toThrow('k must be an integer >= 1, got 0');
    expect(() => topK([1, Number.NaN], 1)).toThrow('values contain NaN at index 1');
    const x = tf.tensor2d([
      [1, 2],
      [Number.NaN, 0],
    ]);
    expect(() => topK(x, 3)).toThrow('k = 3 exceeds the 2 values to choose from');
    expect(() => topK(x, 1)).toThrow('values contain NaN at index [1,0] of a [2,2] tensor');
    x.dispose();
  });

  it('leaks nothing beyond the returned tensors', () => {
    const x = tf.tensor1d([5, 1, 4]);
    const leaked = tensorsLeakedBy(() => {
      for (let i = 0; i < 5; i++) {
        const { values, indices } = topK(x, 2);
        tf.dispose([values, indices]);
      }
    });
    expect(leaked).toBe(0);
    x.dispose();
  });
});
