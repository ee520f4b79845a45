// Marginal entropy of the average prediction over views (TPT's loss), computed in log space as methods.md
// specifies and as TPT's avg_entropy does: lp_i = logits_i − logsumexp(logits_i);
// log p̄ = logsumexp_i(lp_i) − log N; log p̄ floored at the most negative finite float32; H = −Σ p̄ log p̄.
import { assertFloat32, assertRank, assertUsableLogits } from './checks.js';
import { MOST_NEGATIVE_FLOAT32 } from './float32.js';
import { entropyFromLogProbs, logSoftmax, logsumexp } from './log-space.js';
import { tf } from './tf.js';

function checkLogits(logits: tf.Tensor): void {
  assertRank(logits, 2, 'logits', '[N,C]');
  if (logits.shape[0] === 0 || logits.shape[1] === 0) {
    throw new Error(`expected logits tensor [N,C] with N >= 1 and C >= 1, got [${logits.shape.join(',')}]`);
  }
  assertFloat32(logits, 'logits');
  assertUsableLogits(logits);
}

/** log p̄ [C]: the log of the mean over rows of softmax(logits), floored at the most negative float32. */
export function logAverageProbs(logits: tf.Tensor2D): tf.Tensor1D {
  checkLogits(logits);
  const n = logits.shape[0];
  return tf.tidy(() => {
    const logMean = tf.sub(logsumexp(logSoftmax(logits, 1), 0), tf.scalar(Math.log(n)));
    return tf.maximum(logMean, tf.scalar(MOST_NEGATIVE_FLOAT32)) as tf.Tensor1D;
  });
}

/** Entropy (nats) of the mean prediction over the N rows of logits [N,C]; differentiable. */
export function marginalEntropy(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => entropyFromLogProbs(logAverageProbs(logits), 0) as tf.Scalar);
}
