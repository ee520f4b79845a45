import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { BenchRecord, MethodSpec, RunInfo } from './records.js';

/** One method against a baseline method on the same (seed, sample) pairs. */
export interface PairedComparison {
  /** Labels as the summary shows them (name, or name@hash8). */
  readonly method: string;
  readonly baseline: string;
  /** (seed, sample) pairs both methods have records for. */
  readonly pairs: number;
  /** Pairs where the method's prediction differs from the baseline's. */
  readonly changed: number;
  /** Baseline wrong, method right. */
  readonly fixed: number;
  /** Baseline right, method wrong. */
  readonly broken: number;
  /** changed / pairs. */
  readonly changedFraction: number | null;
  /** Method accuracy minus baseline accuracy over the pairs, a fraction in [-1, 1]. */
  readonly accuracyDifference: number | null;
  /**
   * 95 % paired bootstrap interval of accuracyDifference: samples are resampled with replacement (each
   * sample carrying its per-seed differences, so seeds stay paired), percentiles 2.5 and 97.5.
   */
  readonly interval95: readonly [number, number] | null;
  readonly bootstrap: { readonly resamples: number; readonly seed: number };
}

export interface PairedComparisonOptions {
  /** Bootstrap resamples (default 2000). */
  readonly resamples?: number;
  /** Seed of the bootstrap (default 0): the interval is reproducible. */
  readonly seed?: number;
}

/** The method a run is compared against by default: zero-shot when it ran, otherwise none. */
export function defaultBaseline(run: RunInfo): MethodSpec | undefined {
  return run.methods.find((m) => m.name === 'zeroshot');
}

const sameMethod = (r: BenchRecord, m: MethodSpec) => r.method === m.name && r.configHash === m.configHash;

/** Linear-interpolated percentile of sorted values (numpy's default). */
function percentile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/**
 * Compares `method` with `baseline` pair by pair. A pair is (seed, sample); when the baseline has no
 * record at a seed (a deterministic baseline run at one seed), its record for the same sample at its
 * lowest seed stands in.
 */
export function comparePaired(
  records: readonly BenchRecord[],
  method: MethodSpec & { readonly label?: string },
  baseline: MethodSpec & { readonly label?: string },
  options: PairedComparisonOptions = {},
): PairedComparison {
  const resamples = options.resamples ?? 2000;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`resamples must be an integer >= 1, got ${resamples}`);
  }
  const baselineBySeed = new Map<string, BenchRecord>();
  const baselineAnySeed = new Map<string, BenchRecord>();
  for (const r of records) {
    if (!sameMethod(r, baseline)) continue;
    baselineBySeed.set(`${r.seed}\u0000${r.sampleKey}`, r);
    const earlier = baselineAnySeed.get(r.sampleKey);
    if (!earlier || r.seed < earlier.seed) baselineAnySeed.set(r.sampleKey, r);
  }
  let changed = 0;
  let fixed = 0;
  let broken = 0;
  // Per sample: the sum of (method correct − baseline correct) over its seeds, and how many seeds.
  const perSample = new Map<string, { diff: number; pairs: number }>();
  for (const r of records) {
    if (!sameMethod(r, method)) continue;
    const b = baselineBySeed.get(`${r.seed}\u0000${r.sampleKey}`) ?? baselineAnySeed.get(r.sampleKey);
    if (!b) continue;
    if (String(r.prediction) !== String(b.prediction)) changed++;
    if (r.correct && !b.correct) fixed++;
    if (!r.correct && b.correct) broken++;
    const entry = perSample.get(r.sampleKey) ?? { diff: 0, pairs: 0 };
    entry.diff += Number(r.correct) - Number(b.correct);
    entry.pairs++;
    perSample.set(r.sampleKey, entry);
  }
  const units = [...perSample.values()];
  const pairs = units.reduce((a, u) => a + u.pairs, 0);
  let interval95: [number, number] | null = null;
  if (pairs > 0) {
    const rng = xoroshiro128plus(seed);
    const estimates: number[] = [];
    for (let b = 0; b < resamples; b++) {
      let diff = 0;
      let count = 0;
      for (let i = 0; i < units.length; i++) {
        const u = units[uniformInt(rng, 0, units.length - 1)]!;
        diff += u.diff;
        count += u.pairs;
      }
      estimates.push(diff / count);
    }
    estimates.sort((x, y) => x - y);
    interval95 = [percentile(estimates, 0.025), percentile(estimates, 0.975)];
  }
  return {
    method: method.label ?? method.name,
    baseline: baseline.label ?? baseline.name,
    pairs,
    changed,
    fixed,
    broken,
    changedFraction: pairs > 0 ? changed / pairs : null,
    accuracyDifference: pairs > 0 ? (fixed - broken) / pairs : null,
    interval95,
    bootstrap: { resamples, seed },
  };
}
