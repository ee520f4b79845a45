/**
 * Choosing the next token from one row of logits: softmax(logits / T) by inverse-CDF sampling, or the
 * arg-max when T = 0, with the chosen token's log-probability. Sums run in float64 over exp(z - max z)
 * (log-sum-exp), so large logits neither overflow nor lose the small probabilities.
 */
import type { Rng } from '@attune/tensor';

export interface ChosenToken {
  readonly token: number;
  /** log p(token) under softmax(logits / T); under softmax(logits) when T = 0 (greedy). */
  readonly logProb: number;
}

/** Index of the largest logit; ties go to the lowest id. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  let bestValue = logits[0]!;
  for (let i = 1; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** log Σ exp(logits / T), T > 0; `scratch` (length >= logits.length) receives exp(z_i - max z). */
function logSumExp(
  logits: ArrayLike<number>,
  invT: number,
  scratch?: Float64Array,
): { sum: number; lse: number } {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  if (!Number.isFinite(max)) {
    throw new Error(`the model returned non-finite logits (max ${max}); the model file is broken`);
  }
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i]! - max) * invT);
    if (scratch) scratch[i] = e;
    sum += e;
  }
  if (!Number.isFinite(sum)) throw new Error('the model returned NaN logits; the model file is broken');
  return { sum, lse: max * invT + Math.log(sum) };
}

/** log softmax(logits)[token] at T = 1. */
export function tokenLogProb(logits: ArrayLike<number>, token: number): number {
  return logits[token]! - logSumExp(logits, 1).lse;
}

/**
 * The next token: greedy when temperature is 0 (no random draw), else one uniform draw from `rng`
 * walked along the cumulative distribution in id order.
 */
export function chooseToken(
  logits: ArrayLike<number>,
  temperature: number,
  rng: Rng | undefined,
  scratch: Float64Array,
): ChosenToken {
  if (temperature === 0) {
    const token = argmax(logits);
    return { token, logProb: tokenLogProb(logits, token) };
  }
  if (!rng) throw new Error('sampling at a temperature above 0 needs a random stream');
  const invT = 1 / temperature;
  const { sum, lse } = logSumExp(logits, invT, scratch);
  // u walks the unnormalised mass exp(z_i - max z), whose total is `sum`.
  let u = rng.uniform() * sum;
  let token = -1;
  for (let i = 0; i < logits.length; i++) {
    u -= scratch[i]!;
    if (u < 0) {
      token = i;
      break;
    }
  }
  // Rounding can leave u >= 0 after the last term: take the last token with any mass.
  if (token < 0) {
    token = logits.length - 1;
    while (token > 0 && scratch[token] === 0) token--;
  }
  return { token, logProb: logits[token]! * invT - lse };
}
