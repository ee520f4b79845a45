/** −log softmax(logits)[target], in log space (the NGD surrogate's and the soft prompt's per-row loss). */
export function crossEntropy(logits: Float32Array, target: number): number {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let s = 0;
  for (const v of logits) s += Math.exp(v - max);
  return Math.log(s) + max - logits[target]!;
}
