import { formatTable } from '@attune/timing';
import type { PairedComparison } from './paired-comparison.js';
import type { AccuracyStat, BenchSummary, BudgetStat, MethodSummary } from './summary.js';

/** "81.33 ± 1.20" (percent); the mean alone with one seed; "—" without records. */
export function formatAccuracy(stat: AccuracyStat | undefined): string {
  if (!stat || stat.mean === null) return '—';
  const m = (stat.mean * 100).toFixed(2);
  return stat.std === null ? m : `${m} ± ${(stat.std * 100).toFixed(2)}`;
}

const points = (fraction: number) => `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(2)}`;

const percent = (x: number) => (x * 100).toFixed(2);
const interval = (i: readonly [number, number] | null) =>
  i === null ? '' : ` [${percent(i[0])}, ${percent(i[1])}]`;

/** Budgets (rows) × methods (columns) of `cell`, or nothing when no method has a cell. */
function budgetTable(
  methods: readonly MethodSummary[],
  cell: (stat: BudgetStat) => string | undefined,
): string[] | undefined {
  const budgets = [...new Set(methods.flatMap((m) => (m.budgets ?? []).map((b) => b.budget)))].sort(
    (a, b) => a - b,
  );
  const shown = methods.filter((m) => m.budgets?.some((b) => cell(b) !== undefined));
  if (shown.length === 0) return undefined;
  const at = (m: MethodSummary, n: number) => {
    const stat = m.budgets!.find((b) => b.budget === n);
    return (stat && cell(stat)) ?? '—';
  };
  return [
    formatTable(
      ['budget', ...shown.map((m) => m.label)],
      budgets.map((n) => [String(n), ...shown.map((m) => at(m, n))]),
    ),
  ];
}

/**
 * For methods that report budgets: accuracy (mean ± std over seeds, 95 % bootstrap interval, FLOPs),
 * pass@budget, and the scorer's ranking AUC; nothing when no method reports budgets.
 */
function budgetLines(summary: BenchSummary): string[] {
  const withBudgets = summary.methods.filter((m) => m.budgets !== undefined);
  if (withBudgets.length === 0) return [];
  const { resamples, seed } = summary.bootstrap;
  const lines = [
    '## Accuracy (%) by budget: samples voted over or chain steps',
    '',
    `Each cell: mean ± std over seeds [95 % interval: percentile bootstrap over samples, each sample's accuracy averaged over its seeds, ${resamples} resamples, seed ${seed}] (mean FLOPs per sample).`,
    '',
    ...budgetTable(withBudgets, (stat) => {
      const flops = stat.flops === null ? '' : ` (${stat.flops.toExponential(2)} FLOPs)`;
      return `${formatAccuracy(stat.accuracy)}${interval(stat.interval95)}${flops}`;
    })!,
    '',
  ];
  const pass = budgetTable(withBudgets, (stat) => (stat.passAt ? formatAccuracy(stat.passAt) : undefined));
  if (pass) {
    lines.push(
      '## pass@budget (%): some candidate up to the budget is correct',
      '',
      'The ceiling of any rule that picks one of the candidates (samples; a chain: its budget + 1 states), mean ± std over seeds.',
      '',
      ...pass,
      '',
    );
  }
  const ranked = summary.methods.filter((m) => m.ranking !== undefined);
  if (ranked.length > 0) {
    const f = (x: number | null) => (x === null ? '—' : x.toFixed(3));
    lines.push(
      "## The scorer's ranking of the candidates (AUC, correct against wrong)",
      '',
      formatTable(
        ['method', 'pooled AUC', 'within-sample AUC', 'mixed (sample, seed)', 'candidates', 'correct %'],
        ranked.map((m) => {
          const r = m.ranking!;
          return [
            m.label,
            f(r.pooledAuc),
            f(r.withinSampleAuc),
            String(r.mixedUnits),
            String(r.candidates),
            (r.candidateAccuracy * 100).toFixed(1),
          ];
        }),
      ),
      '',
      'Pooled: over every scored candidate of every (sample, seed). Within: the mean AUC over the (sample,',
      'seed) that have both correct and wrong candidates (the ranking best-of-n relies on). Candidates without',
      'a score are left out of the AUCs and counted in "correct %".',
      '',
    );
  }
  return lines;
}

/** The paired comparison table against the baseline, or nothing without one. */
function comparisonLines(summary: BenchSummary): string[] {
  if (summary.baseline === null || summary.comparisons.length === 0) return [];
  const row = (c: PairedComparison) => [
    c.method,
    String(c.pairs),
    c.changedFraction === null ? '0' : `${c.changed} (${(c.changedFraction * 100).toFixed(1)} %)`,
    String(c.fixed),
    String(c.broken),
    c.accuracyDifference === null ? '—' : points(c.accuracyDifference),
    c.interval95 === null ? '—' : `[${points(c.interval95[0])}, ${points(c.interval95[1])}]`,
  ];
  const resamples = summary.comparisons[0]!.bootstrap.resamples;
  return [
    `## Against ${summary.baseline}: predictions changed, fixed, broken`,
    '',
    formatTable(
      ['method', 'pairs', 'changed', 'fixed', 'broken', 'Δ top-1 (points)', '95 % interval'],
      summary.comparisons.map(row),
    ),
    '',
    `Pairs are (seed, sample). Fixed: ${summary.baseline} wrong, the method right; broken: the reverse. The`,
    `interval is a paired bootstrap over samples (${resamples} resamples, seeded), each sample carrying its seeds.`,
    '',
  ];
}

const mib = (bytes: number | null) => (bytes === null ? '—' : (bytes / 2 ** 20).toFixed(1));
const ms = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(2));

/** The run's summary as markdown: what ran, accuracy by family, cost per sample, configs. */
export function renderSummaryMarkdown(summary: BenchSummary): string {
  const { run } = summary;
  const seeds = run.seeds.length;
  const status = summary.complete
    ? `complete (${summary.recorded}/${summary.expected} records)`
    : `**partial** (${summary.recorded}/${summary.expected} records): continue with \`attune bench ${run.suite} --resume --run-id ${run.runId}\``;
  const lines = [
    `# Benchmark: ${run.suite}`,
    '',
    `- run: \`${run.runId}\`, started ${run.createdAt}, harness ${run.harnessVersion}`,
    `- sample list: \`${run.sampleList}\` (sha256 \`${run.sampleListSha256.slice(0, 16)}…\`), ` +
      `${run.sampleCount} samples${run.sampleLimit === null ? '' : ` (first ${run.sampleLimit})`}`,
    `- seeds: ${run.seeds.join(', ')}`,
    `- status: ${status}`,
    '',
    `## Accuracy (%): mean ± std over ${seeds} seed${seeds === 1 ? '' : 's'}`,
    '',
    formatTable(
      ['method', ...summary.families, 'overall'],
      summary.methods.map((m) => [
        m.label,
        ...summary.families.map((f) => formatAccuracy(m.families[f])),
        formatAccuracy(m.overall),
      ]),
    ),
    '',
    ...comparisonLines(summary),
    ...budgetLines(summary),
    '## Cost per sample',
    '',
    formatTable(
      ['method', 'backend', 'threads', 'p50 ms', 'p95 ms', 'peak RSS MiB', 'RSS scope', 'records'],
      summary.methods.map((m) => [
        m.label,
        m.backends.join(', ') || '—',
        m.threads.join(', ') || '—',
        ms(m.latencyMs?.p50),
        ms(m.latencyMs?.p95),
        mib(m.peakRssBytes),
        m.peakRssScope ?? '—',
        `${m.samples}${m.complete ? '' : ' (partial)'}`,
      ]),
    ),
    '',
    'Latency is the wall time of one evaluation (instance creation excluded). Peak RSS is the largest',
    "per-sample high-water mark of the evaluating process (scope 'sample'), or its lifetime high-water mark",
    "where the per-sample reset is unavailable (scope 'process').",
    '',
    '## Methods',
    '',
    formatTable(
      ['method', 'config sha256', 'config'],
      summary.methods.map((m) => [m.label, m.configHash.slice(0, 12), `\`${JSON.stringify(m.config)}\``]),
    ),
    '',
  ];
  return lines.join('\n');
}
