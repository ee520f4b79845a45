// Accuracy against compute for methods that report budgets: one line per method over its budgets, x = mean
// FLOPs per sample (log scale) where every budget counts them, else the budget itself; error bars = std over
// seeds; each point also carries its 95 % bootstrap interval and pass@budget (tooltip, and the data for
// other plots). The accuracy-versus-compute figure of test-time scaling papers (QAlign's error-vs-FLOPs).
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from './render-svg.js';
import type { BenchSummary } from './summary.js';

interface BudgetPoint {
  readonly method: string;
  readonly budget: number;
  readonly x: number;
  readonly accuracy: number;
  readonly lo: number | null;
  readonly hi: number | null;
  /** 95 % bootstrap interval over samples (percent), null without one. */
  readonly ci95Lo: number | null;
  readonly ci95Hi: number | null;
  /** pass@budget (percent, mean over seeds), null when the suite does not report it. */
  readonly passAt: number | null;
}

/** Every (method, budget) point with an accuracy; x is FLOPs when all methods' budgets count them. */
export function budgetPoints(summary: BenchSummary): { points: BudgetPoint[]; xIsFlops: boolean } {
  const stats = summary.methods.flatMap((m) => (m.budgets ?? []).map((b) => ({ method: m.label, b })));
  const xIsFlops = stats.length > 0 && stats.every(({ b }) => b.flops !== null && b.flops > 0);
  const points = stats.flatMap(({ method, b }) => {
    if (b.accuracy.mean === null) return [];
    const pct = b.accuracy.mean * 100;
    const std = b.accuracy.std === null ? null : b.accuracy.std * 100;
    return [
      {
        method,
        budget: b.budget,
        x: xIsFlops ? b.flops! : b.budget,
        accuracy: pct,
        lo: std === null ? null : Math.max(0, pct - std),
        hi: std === null ? null : Math.min(100, pct + std),
        ci95Lo: b.interval95 === null ? null : b.interval95[0] * 100,
        ci95Hi: b.interval95 === null ? null : b.interval95[1] * 100,
        passAt: b.passAt?.mean == null ? null : b.passAt.mean * 100,
      },
    ];
  });
  return { points, xIsFlops };
}

export function budgetPlotSpec(summary: BenchSummary): TopLevelSpec {
  const { points, xIsFlops } = budgetPoints(summary);
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    title: xIsFlops ? 'FLOPs per sample' : 'budget (samples or steps)',
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${summary.run.suite}: accuracy against compute`,
    width: 480,
    height: 300,
    data: { values: points as unknown as Record<string, unknown>[] },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)' },
          color: { field: 'method', type: 'nominal' },
          tooltip: [
            { field: 'method' },
            { field: 'budget' },
            { field: 'accuracy', format: '.2f' },
            { field: 'ci95Lo', format: '.2f', title: '95 % lo' },
            { field: 'ci95Hi', format: '.2f', title: '95 % hi' },
            { field: 'passAt', format: '.2f', title: 'pass@budget' },
            { field: 'x', format: '.3~s', title: xIsFlops ? 'FLOPs' : 'budget' },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.lo != null' }],
        mark: { type: 'rule' },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
          color: { field: 'method', type: 'nominal' },
        },
      },
    ],
  };
}

/** The SVG, or undefined when no method reports budgets. */
export async function renderBudgetSvg(summary: BenchSummary): Promise<string | undefined> {
  if (budgetPoints(summary).points.length === 0) return undefined;
  return renderVegaLiteSvg(budgetPlotSpec(summary));
}
