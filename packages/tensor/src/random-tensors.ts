// Tensors of seeded random draws. Separate from the Rng so that the Rng (in `@attune/tensor/numerics`)
// loads no tfjs.
import type { Rng } from './numerics/rng.js';
import { tf } from './tf.js';

/** A float32 tensor of Uniform[lo, hi) draws from `rng`, in row-major order. */
export function uniformTensor(rng: Rng, shape: readonly number[], lo = 0, hi = 1): tf.Tensor {
  const values = new Float32Array(tf.util.sizeFromShape([...shape]));
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(lo, hi);
  return tf.tensor(values, [...shape], 'float32');
}

/** A float32 tensor of Normal(mean, std²) draws from `rng`, in row-major order. */
export function normalTensor(rng: Rng, shape: readonly number[], mean = 0, std = 1): tf.Tensor {
  const values = new Float32Array(tf.util.sizeFromShape([...shape]));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal(mean, std);
  return tf.tensor(values, [...shape], 'float32');
}
