import { formatTable } from '@attune/timing';
import type { PairedComparison } from './paired-comparison.js';
import type { AccuracyStat, BenchSummary } from './summary.js';

/** "81.33 ± 1.20" (percent); the mean alone with one seed; "—" without records. */
export function formatAccuracy(stat: AccuracyStat | undefined): string {
  if (!stat || stat.mean === null) return '—';
  const m = (stat.mean * 100).toFixed(2);
  return stat.std === null ? m : `${m} ± ${(stat.std * 100).toFixed(2)}`;
}

const points = (fraction: number) => `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(2)}`;

/** Accuracy at each reported budget (rows) per method (columns), or nothing when no method reports budgets. */
function budgetLines(summary: BenchSummary): string[] {
  const withBudgets = summary.methods.filter((m) => m.budgets !== undefined);
  if (withBudgets.length === 0) return [];
  const budgets = [...new Set(withBudgets.flatMap((m) => m.budgets!.map((b) => b.budget)))].sort(
    (a, b) => a - b,
  );
  const cell = (m: (typeof withBudgets)[number], n: number) => {
    const stat = m.budgets!.find((b) => b.budget === n);
    if (!stat) return '—';
    const flops = stat.flops === null ? '' : ` (${stat.flops.toExponential(2)} FLOPs)`;
    return `${formatAccuracy(stat.accuracy)}${flops}`;
  };
  return [
    '## Accuracy (%) by budget: samples voted over or chain steps, mean ± std over seeds',
    '',
    formatTable(
      ['budget', ...withBudgets.map((m) => m.label)],
      budgets.map((n) => [String(n), ...withBudgets.map((m) => cell(m, n))]),
    ),
    '',
  ];
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
