// Shape and value checks with messages that say what was expected and what came instead.
import { tf } from '@attune/tensor';

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor ${formatShape(value.shape)}`;
  if (value === null || value === undefined) return String(value);
  return `a ${(value as object).constructor?.name ?? typeof value}`;
}

/**
 * Throws unless `t` is a live tfjs tensor of the given dtype whose shape matches `pattern`: numbers must
 * match exactly, letters (e.g. 'N') match any size. E.g. expectShape(views, ['N', 3, 'H', 'W'], 'views').
 */
export function expectShape(
  t: unknown,
  pattern: readonly (number | string)[],
  what: string,
  dtype: 'float32' | 'int32' = 'float32',
): asserts t is tf.Tensor {
  const expected = `${what} [${pattern.join(',')}]`;
  if (!(t instanceof tf.Tensor))
    throw new TypeError(`expected ${expected} as a tfjs tensor, got ${describe(t)}`);
  if (t.isDisposed) throw new Error(`expected ${expected}, got a disposed tensor`);
  const ok = t.rank === pattern.length && pattern.every((p, i) => typeof p !== 'number' || t.shape[i] === p);
  if (!ok) throw new Error(`expected ${expected}, got ${formatShape(t.shape)}`);
  if (t.dtype !== dtype) throw new Error(`expected ${expected} of dtype ${dtype}, got ${t.dtype}`);
}

/** Throws if any value is NaN or infinite, naming the first offending element. */
export function expectFinite(t: tf.Tensor, what: string): void {
  const bad = tf.tidy(() => tf.logicalNot(tf.isFinite(t)));
  try {
    const flags = bad.dataSync();
    const index = flags.indexOf(1);
    if (index >= 0) {
      const value = t.dataSync()[index];
      throw new Error(
        `${what}: value ${value} at flat index ${index} of ${formatShape(t.shape)}; expected finite values`,
      );
    }
  } finally {
    bad.dispose();
  }
}
