// Softmax, log-softmax, logsumexp and entropy computed in log space, differentiable through tfjs.
import { assertFloat32, assertUsableLogits, describeShape, normalizeAxis } from './checks.js';
import { MOST_NEGATIVE_FLOAT32 } from './float32.js';
import { tf } from './tf.js';

/**
 * log Σ exp(x) along `axis`, stable for large values. Like torch.logsumexp, a slice that is all -Infinity
 * gives -Infinity (tf.logSumExp gives NaN there: it subtracts an infinite maximum). The gradient is
 * softmax(x) · dy, and zero for slices whose result is not finite, where torch would give NaN.
 */
export function logsumexp(x: tf.Tensor, axis = -1, keepDims = false): tf.Tensor {
  if (x.rank === 0)
    throw new Error(`expected a tensor with at least one axis, got ${describeShape(x.shape)}`);
  const ax = normalizeAxis(axis, x.rank);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const kept = tf.tidy(() => {
      const max = finiteMax(xs, ax);
      return tf.add(tf.log(tf.sum(tf.exp(tf.sub(xs, max)), ax, true)), max);
    });
    save([xs, kept]);
    const value = keepDims ? kept : tf.squeeze(kept, [ax]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [xSaved, lse] = saved as [tf.Tensor, tf.Tensor];
        const dyKept = keepDims ? dy : tf.expandDims(dy, ax);
        const weights = tf.exp(tf.sub(xSaved, lse));
        const finite = tf.broadcastTo(tf.isFinite(lse), xSaved.shape);
        return tf.mul(dyKept, tf.where(finite, weights, tf.zerosLike(weights)));
      },
    };
  });
  return op(x);
}

/** The slice maxima, with non-finite maxima (all -Infinity slices) replaced by 0 so that x − max stays defined. */
function finiteMax(x: tf.Tensor, axis: number): tf.Tensor {
  return tf.tidy(() => {
    const max = tf.max(x, axis, true);
    return tf.where(tf.isFinite(max), max, tf.zerosLike(max));
  });
}

/**
 * log softmax along any axis (tf.logSoftmax only supports the last one), computed as torch does:
 * (x − max) − log Σ exp(x − max). Subtracting the maximum first keeps the log-probability of a dominant
 * class accurate (x − logsumexp(x) would lose it to rounding at the magnitude of the logits).
 * Gradient: dy − softmax(x) · Σ dy.
 */
export function logSoftmax(x: tf.Tensor, axis = -1): tf.Tensor {
  if (x.rank === 0)
    throw new Error(`expected a tensor with at least one axis, got ${describeShape(x.shape)}`);
  const ax = normalizeAxis(axis, x.rank);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const value = tf.tidy(() => {
      const shifted = tf.sub(xs, finiteMax(xs, ax));
      return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), ax, true)));
    });
    save([value]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [logProbs] = saved as [tf.Tensor];
        return tf.sub(dy, tf.mul(tf.exp(logProbs), tf.sum(dy, ax, true)));
      },
    };
  });
  return op(x);
}

export function softmax(x: tf.Tensor, axis = -1): tf.Tensor {
  return tf.tidy(() => tf.exp(logSoftmax(x, axis)));
}

/**
 * −Σ p log p along `axis` from log-probabilities. log p is floored at the most negative finite float32, so
 * a zero-probability class contributes exactly 0 instead of 0 · (−∞) = NaN.
 */
export function entropyFromLogProbs(logProbs: tf.Tensor, axis = -1): tf.Tensor {
  const ax = normalizeAxis(axis, logProbs.rank);
  return tf.tidy(() => {
    const floored = tf.maximum(logProbs, tf.scalar(MOST_NEGATIVE_FLOAT32));
    return tf.neg(tf.sum(tf.mul(tf.exp(floored), floored), ax));
  });
}

/** Shannon entropy (nats) of softmax(logits) along the last axis: [N,C] -> [N], [C] -> scalar. */
export function entropy(logits: tf.Tensor): tf.Tensor {
  if (logits.rank < 1)
    throw new Error(`expected logits tensor [C] or [N,C], got ${describeShape(logits.shape)}`);
  assertFloat32(logits, 'logits');
  assertUsableLogits(logits);
  return tf.tidy(() => entropyFromLogProbs(logSoftmax(logits, -1), -1));
}
