import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderSummaryMarkdown } from './report-markdown.js';
import { renderAccuracySvg } from './report-plot.js';
import type { BenchSummary } from './summary.js';

export interface ReportFiles {
  readonly json: string;
  readonly markdown: string;
  readonly svg: string;
}

/** Writes summary.json, summary.md and accuracy.svg into `outDir` (created if needed). */
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
  return files;
}
