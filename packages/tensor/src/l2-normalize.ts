// x / max(‖x‖₂, eps) along an axis, as torch.nn.functional.normalize.
import { normalizeAxis } from './checks.js';
import { tf } from './tf.js';

/**
 * The norm is computed as sqrt(max(Σx², eps²)), equal to max(‖x‖, eps) in value but with a zero gradient
 * (not NaN, as sqrt'(0) would give) for an all-zero slice.
 */
export function l2Normalize<T extends tf.Tensor>(x: T, axis = -1, eps = 1e-12): T {
  const ax = normalizeAxis(axis, x.rank);
  if (!(eps > 0)) throw new Error(`eps must be > 0, got ${eps}`);
  return tf.tidy(() => {
    const squaredNorm = tf.sum(tf.square(x), ax, true);
    return tf.div(x, tf.sqrt(tf.maximum(squaredNorm, tf.scalar(eps * eps)))) as T;
  });
}
