// Several answers per sample at growing budgets (SampleOutcome.budgets): stored with the record, read back
// by old stores too (the column is added on open), and summarised as accuracy ± std over seeds per budget,
// with a 95 % bootstrap interval over samples, pass@budget and the scorer's AUC (hand-computed cases).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CandidateOutcomes } from '@attune/contracts';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auc,
  type BenchRecord,
  bootstrapMean,
  budgetPoints,
  ResultStore,
  type RunInfo,
  renderSummaryMarkdown,
  summarizeRecords,
  writeReports,
} from '../src/index.js';
import { checkOutcome } from '../src/sample-evaluator.js';
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

function record(
  seed: number,
  sampleIndex: number,
  correctAt: readonly boolean[],
  anyCorrectAt?: readonly boolean[],
  candidates?: CandidateOutcomes,
): BenchRecord {
  const budgets = correctAt.map((correct, i) => ({
    budget: 2 ** i,
    prediction: correct ? '4' : '5',
    correct,
    flops: 100 * 2 ** i,
    ...(anyCorrectAt ? { anyCorrect: anyCorrectAt[i]! } : {}),
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
    ...(candidates ? { candidates } : {}),
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
    expect(md).toMatch(/\| 4 +\| 75\.00 ± 35\.36 \[50\.00, 100\.00\] \(4\.00e\+2 FLOPs\) +\|/);
  });

  it('carry a 95 % bootstrap interval over samples, each sample averaged over its seeds', () => {
    // Budget 1: p0 is right at one seed of two (0.5), p1 never (0): resampled means are 0, 0.25 or 0.5
    // with probabilities 1/4, 1/2, 1/4, so the 2.5th and 97.5th percentiles of 2000 are 0 and 0.5.
    // Budget 2: p0 1, p1 0 → [0, 1]. Budget 4: p0 1, p1 0.5 → [0.5, 1].
    const summary = summarizeRecords(run, records);
    expect(summary.methods[0]!.budgets!.map((s) => s.interval95)).toEqual([
      [0, 0.5],
      [0, 1],
      [0.5, 1],
    ]);
    expect(summary.bootstrap).toEqual({ resamples: 2000, seed: 0 });
    // One sample (or all alike): nothing to resample, the interval is the point.
    expect(bootstrapMean([0.25])).toEqual([0.25, 0.25]);
    expect(bootstrapMean([1, 1, 1])).toEqual([1, 1]);
    expect(bootstrapMean([])).toBeNull();
    expect(() => bootstrapMean([1], { resamples: 0 })).toThrow('resamples must be an integer >= 1, got 0');
  });

  it('give pass@budget from anyCorrect, mean ± std over seeds, in the summary, markdown and plot data', () => {
    // seed 1, p1: the vote is wrong at every budget, but a correct candidate appears by budget 2.
    const withPass = [
      record(0, 0, [false, true, true], [false, true, true]),
      record(0, 1, [false, false, true], [false, true, true]),
      record(1, 0, [true, true, true], [true, true, true]),
      record(1, 1, [false, false, false], [false, true, true]),
    ];
    const summary = summarizeRecords(run, withPass);
    const stats = summary.methods[0]!.budgets!;
    expect(stats.map((s) => s.passAt!.perSeed.map((p) => p.accuracy))).toEqual([
      [0, 0.5],
      [1, 1],
      [1, 1],
    ]);
    expect(stats[0]!.passAt!.mean).toBe(0.25);
    expect(stats[1]!.passAt!.std).toBe(0);
    const md = renderSummaryMarkdown(summary);
    expect(md).toContain('## pass@budget (%)');
    expect(md).toMatch(/\| 1 +\| 25\.00 ± 35\.36 +\|/);
    expect(budgetPoints(summary).points.map((p) => p.passAt)).toEqual([25, 100, 100]);
    expect(budgetPoints(summary).points.map((p) => [p.ci95Lo, p.ci95Hi])).toEqual([
      [0, 50],
      [0, 100],
      [50, 100],
    ]);
    // Without anyCorrect there is no pass@budget.
    expect(summarizeRecords(run, records).methods[0]!.budgets![0]!.passAt).toBeUndefined();
    expect(renderSummaryMarkdown(summarizeRecords(run, records))).not.toContain('pass@budget');
  });

  it("give the scorer's AUC over the candidates, pooled and within a (sample, seed)", () => {
    // p0 seed 0: the correct candidate (3) outscores both wrong ones (1, 2): within AUC 1.
    // p1 seed 0: the correct one (1) is below the wrong one (2): 0. p0 seed 1: no correct candidate, and
    // one without a score: not a mixed unit. p1 seed 1: no scores at all (left out).
    // Pooled: positives {3, 1} against negatives {1, 2, 2, 0.5}: 3 beats all 4; 1 ties 1 (½), loses to
    // 2 twice, beats 0.5 → (4 + 1.5) / 8 = 0.6875.
    const ranked = [
      record(0, 0, [true], undefined, { correct: [true, false, false], scores: [3, 1, 2] }),
      record(0, 1, [true], undefined, { correct: [true, false], scores: [1, 2] }),
      record(1, 0, [true], undefined, { correct: [false, false], scores: [0.5, null] }),
      record(1, 1, [true], undefined, { correct: [true, false] }),
    ];
    const r = summarizeRecords(run, ranked).methods[0]!.ranking!;
    expect(r.pooledAuc).toBe(0.6875);
    expect(r.withinSampleAuc).toBe(0.5);
    expect(r.mixedUnits).toBe(2);
    expect(r.candidates).toBe(7);
    expect(r.candidateAccuracy).toBeCloseTo(2 / 7, 15);
    expect(auc([1], [1])).toBe(0.5);
    expect(auc([], [1])).toBeNull();
    const md = renderSummaryMarkdown(summarizeRecords(run, ranked));
    expect(md).toMatch(/\| majority-vote +\| 0\.688 +\| 0\.500 +\| 2 +\| 7 +\| 28\.6 +\|/);
    expect(summarizeRecords(run, records).methods[0]!.ranking).toBeUndefined();
  });

  it('store candidates with the record (and old stores gain the column)', () => {
    const path = join(tempDir(), 'candidates.sqlite');
    ResultStore.open(path).close();
    const db = new Database(path);
    db.exec('ALTER TABLE records DROP COLUMN candidates');
    db.close();
    const store = ResultStore.open(path);
    store.createRun(run);
    const r = record(0, 0, [true], [true], { correct: [true, false], scores: [0.5, null] });
    store.commitRecord(r);
    expect(store.records('r1')).toEqual([r]);
    store.close();
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

describe('a suite outcome with bad budgets or candidates', () => {
  const where = 'method "m" (seed 0) on sample "p0" of suite "s"';
  const base = { prediction: '4', label: '4' };
  it.each([
    [
      { budgets: [{ budget: 1, prediction: '4', correct: true, anyCorrect: 1 }] },
      'budgets[0].anyCorrect of type number; expected a boolean or nothing',
    ],
    [{ candidates: { correct: [] } }, 'candidates.correct is not a non-empty array'],
    [{ candidates: { correct: [true, 'no'] } }, 'candidates.correct[1] of type string; expected a boolean'],
    [
      { candidates: { correct: [true, false], scores: [1] } },
      'candidates.scores has 1 entries; expected one per candidate (2)',
    ],
    [
      { candidates: { correct: [true], scores: [Number.NaN] } },
      'candidates.scores[0] = NaN; expected a finite number or null',
    ],
  ])('is refused, naming the field: %j', (extra, message) => {
    expect(() => checkOutcome({ ...base, ...extra } as never, where)).toThrow(message);
  });
});
