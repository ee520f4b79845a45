import { performance } from 'node:perf_hooks';

export interface TimingOptions {
  /** Untimed calls first, so JIT, caches and lazy allocation settle. */
  readonly warmup?: number;
  /** Timed calls; the summary reports their median and percentiles (machines are noisy). */
  readonly runs?: number;
}

export interface TimingSummary {
  readonly runs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samplesMs: readonly number[];
}

/** Linear-interpolated percentile (numpy's default) of an ascending array. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('percentile of an empty sample: time at least one run');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

export function summarize(samplesMs: readonly number[]): TimingSummary {
  const sorted = [...samplesMs].sort((x, y) => x - y);
  return {
    runs: sorted.length,
    medianMs: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    samplesMs: [...samplesMs],
  };
}

function checkOptions(options: TimingOptions): { warmup: number; runs: number } {
  const warmup = options.warmup ?? 2;
  const runs = options.runs ?? 7;
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new Error(`warmup must be an integer >= 0, got ${warmup}`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be an integer >= 1, got ${runs}`);
  return { warmup, runs };
}

export function measure(fn: () => unknown, options: TimingOptions = {}): TimingSummary {
  const { warmup, runs } = checkOptions(options);
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

export async function measureAsync(
  fn: () => Promise<unknown>,
  options: TimingOptions = {},
): Promise<TimingSummary> {
  const { warmup, runs } = checkOptions(options);
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}
