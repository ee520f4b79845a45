// Input checks shared by the numerics. Errors name what is wrong and what would be right.

import { NonFiniteValuesError } from './numerics/divergence.js';
import { tf } from './tf.js';

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Throws `expected <what> tensor <expected>, got <shape>` unless `t` has exactly `rank` dimensions. */
export function assertRank(t: tf.Tensor, rank: number, what: string, expected: string): void {
  if (!(t instanceof tf.Tensor))
    throw new TypeError(`expected ${what} as a tf.Tensor ${expected}, got ${typeof t}`);
  if (t.isDisposed) throw new Error(`${what} tensor ${expected} has already been disposed`);
  if (t.rank !== rank) throw new Error(`expected ${what} tensor ${expected}, got ${describeShape(t.shape)}`);
}

export function assertFloat32(t: tf.Tensor, what: string): void {
  if (t.dtype !== 'float32') throw new Error(`expected float32 ${what}, got ${t.dtype}`);
}

/** Resolves a possibly negative axis, as numpy and torch do. */
export function normalizeAxis(axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(
      `axis ${axis} is out of range for a tensor of rank ${rank}; expected an integer in [${-rank}, ${rank - 1}]`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

function indexOf(flat: number, shape: readonly number[]): number[] {
  const index: number[] = new Array(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    index[d] = flat % size;
    flat = Math.floor(flat / size);
  }
  return index;
}

function readFlag(flag: tf.Tensor): boolean {
  const set = flag.dataSync()[0] === 1;
  flag.dispose();
  return set;
}

function firstIndexWhere(t: tf.Tensor, isBad: (v: number) => boolean): { index: string; value: number } {
  const values = t.dataSync();
  const flat = values.findIndex(isBad);
  return { index: describeShape(indexOf(flat, t.shape)), value: values[flat]! };
}

/**
 * Logits may be -Infinity (a masked class) but never NaN or +Infinity, which turn every softmax into NaN.
 * One scalar read in the common case; the offending position is only searched for when there is one.
 */
export function assertUsableLogits(t: tf.Tensor, what = 'logits'): void {
  const infinity = Number.POSITIVE_INFINITY;
  if (!readFlag(tf.tidy(() => tf.any(tf.logicalOr(tf.isNaN(t), tf.equal(t, infinity)))))) return;
  const { index, value } = firstIndexWhere(t, (v) => Number.isNaN(v) || v === infinity);
  throw new NonFiniteValuesError(
    `${what} contain ${Number.isNaN(value) ? 'NaN' : '+Infinity'} at index ${index} of a ${describeShape(t.shape)} tensor; expected finite values (or -Infinity for a masked class)`,
  );
}

export function assertNoNaN(t: tf.Tensor, what: string): void {
  if (!readFlag(tf.tidy(() => tf.any(tf.isNaN(t))))) return;
  const { index } = firstIndexWhere(t, Number.isNaN);
  throw new NonFiniteValuesError(
    `${what} contain NaN at index ${index} of a ${describeShape(t.shape)} tensor; expected numbers`,
  );
}

export function assertFiniteArray(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v))
      throw new NonFiniteValuesError(`${what} contain ${v} at index ${i}; expected finite numbers`);
  }
}
