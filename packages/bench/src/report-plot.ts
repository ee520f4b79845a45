import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from './render-svg.js';
import type { AccuracyStat, BenchSummary } from './summary.js';

interface Bar {
  readonly group: string;
  readonly method: string;
  readonly accuracy: number;
  /** mean ± std clamped to [0, 100]; null with fewer than two seeds (no error bar is drawn). */
  readonly lo: number | null;
  readonly hi: number | null;
  readonly seeds: number;
}

function bar(group: string, method: string, stat: AccuracyStat | undefined): Bar[] {
  if (!stat || stat.mean === null) return [];
  const pct = stat.mean * 100;
  const std = stat.std === null ? null : stat.std * 100;
  return [
    {
      group,
      method,
      accuracy: pct,
      lo: std === null ? null : Math.max(0, pct - std),
      hi: std === null ? null : Math.min(100, pct + std),
      seeds: stat.perSeed.length,
    },
  ];
}

/** The grouped-bar data: one group per family plus 'overall', one bar per method. */
export function accuracyBars(summary: BenchSummary): Bar[] {
  return [...summary.families, 'overall'].flatMap((group) =>
    summary.methods.flatMap((m) => bar(group, m.label, group === 'overall' ? m.overall : m.families[group])),
  );
}

/** The vega-lite spec of the accuracy plot (also handy to re-render elsewhere). */
export function accuracyPlotSpec(summary: BenchSummary): TopLevelSpec {
  const groups = [...summary.families, 'overall'];
  const methods = summary.methods.map((m) => m.label);
  const seeds = summary.run.seeds.length;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${summary.run.suite}: accuracy by family`,
      subtitle:
        `mean${seeds > 1 ? ` ± std over ${seeds} seeds` : ' (1 seed)'} · ${summary.run.sampleCount} samples` +
        (summary.complete ? '' : ' · partial run'),
      anchor: 'start',
    },
    width: Math.max(240, groups.length * (methods.length + 1) * 24),
    height: 260,
    data: { values: accuracyBars(summary) as unknown as Record<string, unknown>[] },
    encoding: {
      x: { field: 'group', type: 'nominal', sort: groups, title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'method', type: 'nominal', sort: methods },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)', scale: { domain: [0, 100] } },
          color: { field: 'method', type: 'nominal', sort: methods, title: 'method' },
        },
      },
      {
        transform: [{ filter: 'isValid(datum.lo)' }],
        mark: { type: 'errorbar', ticks: { size: 6 }, color: '#222' },
        encoding: {
          y: { field: 'lo', type: 'quantitative', title: 'accuracy (%)' },
          y2: { field: 'hi' },
        },
      },
    ],
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif' },
  };
}

/** Renders the accuracy plot (grouped bars with error bars) to SVG. */
export async function renderAccuracySvg(summary: BenchSummary): Promise<string> {
  return renderVegaLiteSvg(accuracyPlotSpec(summary));
}
