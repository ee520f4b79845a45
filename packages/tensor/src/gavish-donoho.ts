// Rank by the Gavish–Donoho optimal hard threshold for singular values when the noise level is unknown
// (Gavish & Donoho 2014, "The Optimal Hard Threshold for Singular Values is 4/√3", eq. (4)/(5)):
// keep s_i > ω(β) · median(s), with the cubic approximation ω(β) ≈ 0.56β³ − 0.95β² + 1.82β + 1.43.

/** ω(β) for aspect ratio β = min(rows, cols) / max(rows, cols) in (0, 1]. */
export function gavishDonohoOmega(beta: number): number {
  if (!(beta > 0 && beta <= 1)) throw new Error(`beta must be in (0, 1], got ${beta}`);
  return 0.56 * beta ** 3 - 0.95 * beta ** 2 + 1.82 * beta + 1.43;
}

/** numpy.median: the middle value, or the mean of the two middle values. */
function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * #{s_i > ω(β) · median(s)}, at least 1. `singularValues` must be all min(rows, cols) singular values of
 * the rows×cols matrix: the median of a truncated list would move the threshold.
 */
export function gavishDonohoRank(singularValues: ArrayLike<number>, rows: number, cols: number): number {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new Error(`rows and cols must be integers >= 1, got ${rows}×${cols}`);
  }
  const k = Math.min(rows, cols);
  if (singularValues.length !== k) {
    throw new Error(
      `expected all min(rows, cols) = ${k} singular values of a ${rows}×${cols} matrix, got ${singularValues.length}`,
    );
  }
  for (let i = 0; i < k; i++) {
    const s = singularValues[i]!;
    if (!(s >= 0 && Number.isFinite(s)))
      throw new Error(`singular values must be finite and >= 0, got ${s} at index ${i}`);
  }
  const threshold = gavishDonohoOmega(k / Math.max(rows, cols)) * median(singularValues);
  let rank = 0;
  for (let i = 0; i < k; i++) if (singularValues[i]! > threshold) rank++;
  return Math.max(1, rank);
}
