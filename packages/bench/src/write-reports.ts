import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderBudgetSvg } from './report-budget-plot.js';
import { renderSummaryMarkdown } from './report-markdown.js';
import { renderAccuracySvg } from './report-plot.js';
import type { BenchSummary } from './summary.js';

export interface ReportFiles {
  readonly json: string;
  readonly markdown: string;
  readonly svg: string;
  /** accuracy-vs-compute.svg, written when a method reports budgets. */
  readonly budgetSvg?: string;
}

/**
 * Writes summary.json, summary.md and accuracy.svg into `outDir` (created if needed), and
 * accuracy-vs-compute.svg when a method reports budgets.
 */
export async function writeReports(summary: BenchSummary, outDir: string): Promise<ReportFiles> {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const files = {
    json: join(dir, 'summary.json'),
    markdown: join(dir, 'summary.md'),
    svg: join(dir, 'accuracy.svg'),
  };
  writeFileSync(files.json, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(files.markdown, renderSummaryMarkdown(summary));
  writeFileSync(files.svg, await renderAccuracySvg(summary));
  const budgetSvg = await renderBudgetSvg(summary);
  if (budgetSvg === undefined) return files;
  const budgetFile = join(dir, 'accuracy-vs-compute.svg');
  writeFileSync(budgetFile, budgetSvg);
  return { ...files, budgetSvg: budgetFile };
}
