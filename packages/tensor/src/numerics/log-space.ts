// Log-space numerics on plain number arrays, for code that has no tensors (text methods, votes, reports).
// The tensor versions (differentiable, any axis) are in the package's main entry.

function checkValues(values: ArrayLike<number>, what: string): void {
  if (values.length === 0) throw new Error(`${what}: expected at least one value, got none`);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new Error(`${what}: value ${i} is NaN; expected numbers or -Infinity`);
    if (values[i] === Infinity) throw new Error(`${what}: value ${i} is +Infinity; expected finite values`);
  }
}

/** log Σ exp(values), stable; all -Infinity gives -Infinity. */
export function logSumExpValues(values: ArrayLike<number>): number {
  checkValues(values, 'logSumExpValues');
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}

/** log softmax of the values: values − logsumexp(values). */
export function logSoftmaxValues(values: ArrayLike<number>): number[] {
  const lse = logSumExpValues(values);
  if (lse === -Infinity) throw new Error('logSoftmaxValues: every value is -Infinity; no distribution');
  return Array.from(values, (v) => v - lse);
}

/** softmax of the values (sums to 1). */
export function softmaxValues(values: ArrayLike<number>): number[] {
  return logSoftmaxValues(values).map(Math.exp);
}

/** Shannon entropy −Σ p log p (nats) of a probability vector; 0 · log 0 counts as 0. */
export function entropyOfProbs(probs: ArrayLike<number>): number {
  checkValues(probs, 'entropyOfProbs');
  let h = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (p < 0) throw new Error(`entropyOfProbs: probability ${i} is ${p}; expected values >= 0`);
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}
