// Several answers per sample at growing budgets (SampleOutcome.budgets): stored with the record, read back
// by old stores too (the column is added on open), and summarised as accuracy ± std over seeds per budget.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BenchRecord,
  budgetPoints,
  ResultStore,
  type RunInfo,
  renderSummaryMarkdown,
  summarizeRecords,
  writeReports,
} from '../src/index.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const run: RunInfo = {
  runId: 'r1',
  suite: 'arithmetic',
  suiteConfig: {},
  suiteConfigHash: 'c'.repeat(64),
  sampleList: '/lists/a.tsv',
  sampleListSha256: 'a'.repeat(64),
  sampleKeysSha256: 'b'.repeat(64),
  sampleCount: 2,
  sampleLimit: null,
  methods: [{ name: 'majority-vote', config: { n: 4 }, configHash: 'f'.repeat(64) }],
  seeds: [0, 1],
  createdAt: '2025-01-01T00:00:00.000Z',
  harnessVersion: '0.1.0',
};

function record(seed: number, sampleIndex: number, correctAt: readonly boolean[]): BenchRecord {
  const budgets = correctAt.map((correct, i) => ({
    budget: 2 ** i,
    prediction: correct ? '4' : '5',
    correct,
    flops: 100 * 2 ** i,
  }));
  return {
    runId: 'r1',
    suite: 'arithmetic',
    method: 'majority-vote',
    configHash: 'f'.repeat(64),
    seed,
    sampleKey: `p${sampleIndex}`,
    sampleIndex,
    family: 'arithmetic',
    prediction: budgets.at(-1)!.prediction,
    label: '4',
    correct: budgets.at(-1)!.correct,
    latencyMs: 1,
    peakRssBytes: 1,
    peakRssScope: 'sample',
    backend: null,
    threads: null,
    sampleList: '/lists/a.tsv',
    sampleListSha256: 'a'.repeat(64),
    nodeVersion: process.version,
    worker: 0,
    pid: process.pid,
    attempt: 1,
    extra: null,
    budgets,
    startedAt: '2025-01-01T00:00:01.000Z',
    finishedAt: '2025-01-01T00:00:02.000Z',
  };
}

// seed 0: p0 right from budget 2, p1 right at 4; seed 1: p0 always right, p1 never.
const records = [
  record(0, 0, [false, true, true]),
  record(0, 1, [false, false, true]),
  record(1, 0, [true, true, true]),
  record(1, 1, [false, false, false]),
];

describe('budgets', () => {
  it('round-trip through the store', () => {
    const store = ResultStore.open(join(tempDir(), 'results.sqlite'));
    store.createRun(run);
    for (const r of records) store.commitRecord(r);
    expect(store.records('r1')).toEqual(records);
    store.close();
  });

  it('a store made before budgets gains the column and reads its records without them', () => {
    const path = join(tempDir(), 'old.sqlite');
    ResultStore.open(path).close();
    const db = new Database(path);
    db.exec('ALTER TABLE records DROP COLUMN budgets');
    db.close();
    const store = ResultStore.open(path);
    store.createRun(run);
    const { budgets: _, ...plain } = records[0]!;
    store.commitRecord(plain);
    expect(store.records('r1')).toEqual([plain]);
    store.close();
  });

  it('are summarised per budget: accuracy mean ± std over seeds and mean FLOPs', () => {
    const summary = summarizeRecords(run, records);
    const stats = summary.methods[0]!.budgets!;
    expect(stats.map((s) => s.budget)).toEqual([1, 2, 4]);
    expect(stats.map((s) => s.accuracy.perSeed.map((p) => p.accuracy))).toEqual([
      [0, 0.5],
      [0.5, 0.5],
      [1, 0.5],
    ]);
    expect(stats[2]!.accuracy.mean).toBe(0.75);
    expect(stats[2]!.accuracy.std).toBeCloseTo(Math.SQRT1_2 * 0.5, 12);
    expect(stats.map((s) => s.flops)).toEqual([100, 200, 400]);
    const md = renderSummaryMarkdown(summary);
    expect(md).toContain('## Accuracy (%) by budget');
    expect(md).toMatch(/\| 4 +\| 75\.00 ± 35\.36 \(4\.00e\+2 FLOPs\) +\|/);
  });

  it('a run without budgets has no budget field or table', () => {
    const plain = records.map(({ budgets: _, ...r }) => r);
    const summary = summarizeRecords(run, plain);
    expect(summary.methods[0]!.budgets).toBeUndefined();
    expect(renderSummaryMarkdown(summary)).not.toContain('by budget');
  });

  it('are plotted as accuracy against FLOPs (accuracy-vs-compute.svg), only when reported', async () => {
    const summary = summarizeRecords(run, records);
    const { points, xIsFlops } = budgetPoints(summary);
    expect(xIsFlops).toBe(true);
    expect(points.map((p) => [p.budget, p.x, p.accuracy])).toEqual([
      [1, 100, 25],
      [2, 200, 50],
      [4, 400, 75],
    ]);
    const out = tempDir();
    const files = await writeReports(summary, out);
    expect(files.budgetSvg).toBe(join(out, 'accuracy-vs-compute.svg'));
    expect(readFileSync(files.budgetSvg!, 'utf8')).toMatch(
      /^<svg[\s\S]*accuracy against compute[\s\S]*<\/svg>\s*$/,
    );
    const plainOut = tempDir();
    const plain = await writeReports(
      summarizeRecords(
        run,
        records.map(({ budgets: _, ...r }) => r),
      ),
      plainOut,
    );
    expect(plain.budgetSvg).toBeUndefined();
    expect(existsSync(join(plainOut, 'accuracy-vs-compute.svg'))).toBe(false);
  });
});
