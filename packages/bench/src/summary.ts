import { mean, sampleStd } from '@attune/tensor/numerics';
import { summarize } from '@attune/timing';
import { bootstrapMean, DEFAULT_BOOTSTRAP } from './bootstrap-mean.js';
import { comparePaired, defaultBaseline, type PairedComparison } from './paired-comparison.js';
import type { PeakRssScope } from './peak-memory.js';
import { type RankingStat, rankingStat } from './ranking-auc.js';
import type { BenchRecord, RunInfo } from './records.js';
import type { ResultStore } from './store.js';

export interface SeedAccuracy {
  readonly seed: number;
  readonly correct: number;
  readonly samples: number;
  /** correct / samples, a fraction in [0, 1]. */
  readonly accuracy: number;
}

/** Accuracy of one method on one group of samples: per seed, then mean ± std over seeds. */
export interface AccuracyStat {
  /** Mean over seeds of each seed's accuracy (fraction); null without records. */
  readonly mean: number | null;
  /** Sample std over seeds (n - 1); null with fewer than two seeds. */
  readonly std: number | null;
  readonly perSeed: readonly SeedAccuracy[];
}

export interface MethodSummary {
  /** The name, or name@hash8 when one method appears with several configs. */
  readonly label: string;
  readonly name: string;
  readonly configHash: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly samples: number;
  /** Every (seed, sample) of the run has a record for this method. */
  readonly complete: boolean;
  /** Over all the run's samples (families weighted by their size). */
  readonly overall: AccuracyStat;
  readonly families: Readonly<Record<string, AccuracyStat>>;
  /** Over every record of the method (all seeds); linear-interpolated percentiles. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly mean: number } | null;
  /** Largest per-sample peak RSS over the method's records. */
  readonly peakRssBytes: number | null;
  readonly peakRssScope: PeakRssScope | 'mixed' | null;
  readonly backends: readonly string[];
  readonly threads: readonly number[];
  /**
   * Accuracy at each budget the suite reported (SampleOutcome.budgets: samples voted over, chain steps),
   * mean ± std over seeds, with the mean compute spent to reach it; absent when no record has budgets.
   */
  readonly budgets?: readonly BudgetStat[];
  /**
   * How well the method's scorer ranks its candidates (AUC pooled and within a sample), from the candidates
   * the suite reports with scores; absent when no record has scored candidates.
   */
  readonly ranking?: RankingStat;
}

export interface BudgetStat {
  readonly budget: number;
  readonly accuracy: AccuracyStat;
  /**
   * 95 % interval of the accuracy: percentile bootstrap over samples, each sample's accuracy averaged over
   * its seeds (seeds pooled), so it covers which samples were drawn as well as the seeds; null without
   * records. Resamples and seed: BenchSummary.bootstrap.
   */
  readonly interval95: readonly [number, number] | null;
  /**
   * pass@budget: the share of (sample, seed) whose candidates up to this budget include a correct one
   * (BudgetOutcome.anyCorrect), mean ± std over seeds; absent when the suite does not report it.
   */
  readonly passAt?: AccuracyStat;
  /** Mean FLOPs per sample up to this budget, or null when the suite does not count them. */
  readonly flops: number | null;
}

export interface BenchSummary {
  readonly run: RunInfo;
  /** methods × seeds × samples. */
  readonly expected: number;
  readonly recorded: number;
  readonly complete: boolean;
  /** Families in sample-list order. */
  readonly families: readonly string[];
  readonly methods: readonly MethodSummary[];
  /** The method the others are compared with (label), or null (no zero-shot in the run, none asked for). */
  readonly baseline: string | null;
  /** Every other method against the baseline: changed / fixed / broken and a paired bootstrap interval. */
  readonly comparisons: readonly PairedComparison[];
  /** The bootstrap behind every BudgetStat.interval95. */
  readonly bootstrap: { readonly resamples: number; readonly seed: number };
}

export interface SummaryOptions {
  /** Method name or label to compare the others with; default 'zeroshot' when the run has it. */
  readonly baseline?: string;
}

function accuracyStat(records: readonly BenchRecord[], seeds: readonly number[]): AccuracyStat {
  const perSeed: SeedAccuracy[] = [];
  for (const seed of seeds) {
    const mine = records.filter((r) => r.seed === seed);
    if (mine.length === 0) continue;
    const correct = mine.filter((r) => r.correct).length;
    perSeed.push({ seed, correct, samples: mine.length, accuracy: correct / mine.length });
  }
  const accuracies = perSeed.map((s) => s.accuracy);
  return { mean: mean(accuracies), std: sampleStd(accuracies), perSeed };
}

/** Accuracy and mean FLOPs per budget over records that report budgets (each budget over the records that have it). */
function budgetStats(records: readonly BenchRecord[], seeds: readonly number[]): BudgetStat[] | undefined {
  const budgets = [...new Set(records.flatMap((r) => (r.budgets ?? []).map((b) => b.budget)))].sort(
    (a, b) => a - b,
  );
  if (budgets.length === 0) return undefined;
  return budgets.map((budget) => {
    const at = records.flatMap((r) => {
      const b = r.budgets?.find((x) => x.budget === budget);
      return b ? [{ ...r, correct: b.correct, flops: b.flops, anyCorrect: b.anyCorrect }] : [];
    });
    const flops = at.map((r) => r.flops).filter((f): f is number => f !== undefined);
    const passed = at.flatMap((r) => (r.anyCorrect === undefined ? [] : [{ ...r, correct: r.anyCorrect }]));
    return {
      budget,
      accuracy: accuracyStat(at, seeds),
      interval95: bootstrapMean(perSampleAccuracy(at)),
      ...(passed.length > 0 ? { passAt: accuracyStat(passed, seeds) } : {}),
      flops: flops.length === at.length && flops.length > 0 ? mean(flops)! : null,
    };
  });
}

/** Each sample's accuracy averaged over its seeds, in list order: the bootstrap's units. */
function perSampleAccuracy(records: readonly BenchRecord[]): number[] {
  const bySample = new Map<string, { index: number; hits: number; n: number }>();
  for (const r of records) {
    const e = bySample.get(r.sampleKey) ?? { index: r.sampleIndex, hits: 0, n: 0 };
    e.hits += r.correct ? 1 : 0;
    e.n += 1;
    bySample.set(r.sampleKey, e);
  }
  return [...bySample.values()].sort((a, b) => a.index - b.index).map((e) => e.hits / e.n);
}

const budgetField = (budgets: BudgetStat[] | undefined) => (budgets ? { budgets } : {});
const rankingField = (ranking: RankingStat | undefined) => (ranking ? { ranking } : {});

/** Summarises a run's records: accuracy ± std over seeds per method × family and overall, latency, memory. */
export function summarizeRecords(
  run: RunInfo,
  records: readonly BenchRecord[],
  options: SummaryOptions = {},
): BenchSummary {
  const firstIndex = new Map<string, number>();
  for (const r of records)
    firstIndex.set(r.family, Math.min(firstIndex.get(r.family) ?? r.sampleIndex, r.sampleIndex));
  const families = [...firstIndex.keys()].sort(
    (a, b) => firstIndex.get(a)! - firstIndex.get(b)! || a.localeCompare(b),
  );
  const nameCounts = new Map<string, number>();
  for (const m of run.methods) nameCounts.set(m.name, (nameCounts.get(m.name) ?? 0) + 1);

  const methods = run.methods.map((method): MethodSummary => {
    const mine = records.filter((r) => r.method === method.name && r.configHash === method.configHash);
    const latencies = mine.map((r) => r.latencyMs);
    const timing = latencies.length > 0 ? summarize(latencies) : undefined;
    const scopes = [...new Set(mine.map((r) => r.peakRssScope))];
    return {
      label:
        nameCounts.get(method.name)! > 1 ? `${method.name}@${method.configHash.slice(0, 8)}` : method.name,
      name: method.name,
      configHash: method.configHash,
      config: method.config,
      samples: mine.length,
      complete: mine.length === run.seeds.length * run.sampleCount,
      overall: accuracyStat(mine, run.seeds),
      families: Object.fromEntries(
        families.map((family) => [
          family,
          accuracyStat(
            mine.filter((r) => r.family === family),
            run.seeds,
          ),
        ]),
      ),
      latencyMs: timing ? { p50: timing.medianMs, p95: timing.p95Ms, mean: mean(latencies)! } : null,
      peakRssBytes: mine.length > 0 ? Math.max(...mine.map((r) => r.peakRssBytes)) : null,
      peakRssScope: scopes.length === 0 ? null : scopes.length === 1 ? scopes[0]! : 'mixed',
      backends: [...new Set(mine.flatMap((r) => (r.backend === null ? [] : [r.backend])))].sort(),
      threads: [...new Set(mine.flatMap((r) => (r.threads === null ? [] : [r.threads])))].sort(
        (a, b) => a - b,
      ),
      ...budgetField(budgetStats(mine, run.seeds)),
      ...rankingField(rankingStat(mine)),
    };
  });
  const expected = run.methods.length * run.seeds.length * run.sampleCount;
  let baseline: MethodSummary | undefined;
  if (options.baseline !== undefined) {
    baseline = methods.find((m) => m.label === options.baseline || m.name === options.baseline);
    if (!baseline) {
      throw new Error(
        `baseline "${options.baseline}" is not a method of run ${run.runId} (methods: ${methods.map((m) => m.label).join(', ')})`,
      );
    }
  } else {
    const spec = defaultBaseline(run);
    baseline = spec && methods.find((m) => m.name === spec.name && m.configHash === spec.configHash);
  }
  const comparisons = baseline
    ? methods.filter((m) => m !== baseline).map((m) => comparePaired(records, m, baseline))
    : [];
  return {
    run,
    expected,
    recorded: records.length,
    complete: records.length === expected,
    families,
    methods,
    baseline: baseline?.label ?? null,
    comparisons,
    bootstrap: { ...DEFAULT_BOOTSTRAP },
  };
}

/** Reads a run from the store and summarises it. */
export function summarizeRun(store: ResultStore, runId: string, options: SummaryOptions = {}): BenchSummary {
  const run = store.getRun(runId);
  if (!run) {
    throw new Error(
      `no run "${runId}" in ${store.path} (runs: ${
        store
          .listRuns()
          .map((r) => r.runId)
          .join(', ') || 'none'
      })`,
    );
  }
  return summarizeRecords(run, store.records(runId), options);
}
