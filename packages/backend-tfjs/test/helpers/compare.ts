import type { tf } from '@attune/tensor';
import type * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

export interface Difference {
  readonly maxAbsDiff: number;
  /** max |reference|: the scale differences are judged against. */
  readonly scale: number;
}

export function difference(actual: ArrayLike<number>, reference: ArrayLike<number>): Difference {
  let maxAbsDiff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = Number(actual[i]);
    const r = Number(reference[i]);
    const diff = Math.abs(a - r);
    // NaN anywhere counts as an infinite difference.
    maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff);
    scale = Math.max(scale, Math.abs(r));
  }
  return { maxAbsDiff, scale };
}

/**
 * Asserts a tfjs output matches onnxruntime's: same shape; integers and booleans exactly; floats within
 * 1e-4 of the output's scale (max |reference|).
 */
export function expectParity(actual: tf.Tensor, reference: ort.Tensor, name: string): Difference {
  expect(actual.shape, `shape of '${name}'`).toEqual(reference.dims.map(Number));
  const referenceData =
    reference.type === 'int64'
      ? Array.from(reference.data as BigInt64Array, Number)
      : (reference.data as ArrayLike<number>);
  const actualData = actual.dataSync();
  const diff = difference(actualData, Array.from(referenceData, Number));
  if (reference.type === 'float32') {
    expect(diff.maxAbsDiff, `'${name}' max |tfjs - onnxruntime| (scale ${diff.scale})`).toBeLessThanOrEqual(
      1e-4 * diff.scale,
    );
  } else {
    expect(Array.from(actualData, Number), `'${name}' (${reference.type})`).toEqual(
      Array.from(referenceData, Number),
    );
  }
  return diff;
}
