// The k largest values and their indices, largest first; ties keep the lower index first.
import { assertFloat32, assertNoNaN, describeShape } from './checks.js';
import { tf } from './tf.js';

function checkK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be an integer >= 1, got ${k}`);
  if (k > n) throw new Error(`k = ${k} exceeds the ${n} values to choose from; expected k <= ${n}`);
}

/** Along the last axis of a tensor (tf.topk, sorted). Returns new tensors the caller disposes. */
export function topK(values: tf.Tensor, k: number): { values: tf.Tensor; indices: tf.Tensor };
/** Of a plain array of numbers. */
export function topK(values: ArrayLike<number>, k: number): { values: number[]; indices: number[] };
export function topK(
  values: tf.Tensor | ArrayLike<number>,
  k: number,
): { values: tf.Tensor; indices: tf.Tensor } | { values: number[]; indices: number[] } {
  if (values instanceof tf.Tensor) {
    if (values.rank < 1)
      throw new Error(`expected a tensor with at least one axis, got ${describeShape(values.shape)}`);
    assertFloat32(values, 'values');
    checkK(k, values.shape[values.rank - 1]!);
    // tf.topk places NaN arbitrarily.
    assertNoNaN(values, 'values');
    const { values: top, indices } = tf.topk(values, k, true);
    return { values: top, indices };
  }
  const n = values.length;
  checkK(k, n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i])) throw new Error(`values contain NaN at index ${i}; expected numbers`);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => values[b]! - values[a]! || a - b);
  const indices = order.slice(0, k);
  return { values: indices.map((i) => values[i]!), indices };
}
