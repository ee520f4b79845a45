// Confidence selection (TPT's select_confidence): keep the views whose predictions have the lowest entropy.
import { assertFloat32, assertRank } from './checks.js';
import { entropy } from './log-space.js';
import type { tf } from './tf.js';

/**
 * How many of `n` items a selection fraction keeps: int(n · fraction), truncating as Python's int() does
 * (int(64·0.1) = 6, int(127·0.8) = 101, int(102·0.3) = 30), and at least 1.
 */
export function selectionCount(n: number, fraction: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a count n >= 1, got ${n}`);
  if (!(Number.isFinite(fraction) && fraction > 0 && fraction <= 1)) {
    throw new Error(`selection fraction must be in (0, 1], got ${fraction}`);
  }
  return Math.max(1, Math.floor(n * fraction));
}

/**
 * Row indices of the selectionCount(N, fraction) lowest-entropy rows of logits [N,C], most confident
 * first. Ties keep row order (a stable sort), so the result is deterministic.
 */
export function selectConfidentViews(logits: tf.Tensor2D, fraction: number): number[] {
  assertRank(logits, 2, 'logits', '[N,C]');
  assertFloat32(logits, 'logits');
  const n = logits.shape[0];
  const count = selectionCount(n, fraction);
  const entropies = entropy(logits);
  const values = entropies.dataSync();
  entropies.dispose();
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => values[a]! - values[b]! || a - b);
  return order.slice(0, count);
}
