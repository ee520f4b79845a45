// The 95 % interval of a mean over units (samples) by the percentile bootstrap. The stream and the
// percentile rule are those of QAlign's former report (createRng, indices ⌊0.025·B⌋ and ⌈0.975·B⌉ − 1), so
// its committed intervals reproduce exactly.
import { createRng } from '@attune/tensor/numerics';

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  readonly resamples?: number;
  /** Seed of the stream (default 0): the interval is reproducible. */
  readonly seed?: number;
}

export const DEFAULT_BOOTSTRAP = { resamples: 2000, seed: 0 } as const;

/** [lo, hi] of the mean of `values` (one per unit, resampled with replacement); null without values. */
export function bootstrapMean(
  values: readonly number[],
  options: BootstrapOptions = {},
): [number, number] | null {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`resamples must be an integer >= 1, got ${resamples}`);
  }
  if (values.length === 0) return null;
  const rng = createRng(options.seed ?? DEFAULT_BOOTSTRAP.seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[rng.int(0, values.length)]!;
    means[b] = s / values.length;
  }
  means.sort();
  return [means[Math.floor(0.025 * resamples)]!, means[Math.ceil(0.975 * resamples) - 1]!];
}
