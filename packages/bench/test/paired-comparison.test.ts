import { describe, expect, it } from 'vitest';
import {
  type BenchRecord,
  comparePaired,
  type MethodSpec,
  type RunInfo,
  renderSummaryMarkdown,
  summarizeRecords,
} from '../src/index.js';

const zeroshot: MethodSpec = { name: 'zeroshot', config: {}, configHash: 'z'.repeat(64) };
const tpt: MethodSpec = { name: 'tpt', config: {}, configHash: 't'.repeat(64) };

function rec(
  method: MethodSpec,
  seed: number,
  sample: number,
  prediction: number,
  label: number,
): BenchRecord {
  return {
    runId: 'r',
    suite: 'toy',
    method: method.name,
    configHash: method.configHash,
    seed,
    sampleKey: `s${sample}`,
    sampleIndex: sample,
    family: 'all',
    prediction,
    label,
    correct: prediction === label,
    latencyMs: 1,
    peakRssBytes: 1,
    peakRssScope: 'sample',
    backend: null,
    threads: null,
    sampleList: 'l',
    sampleListSha256: 'a'.repeat(64),
    nodeVersion: 'v20',
    worker: 0,
    pid: 1,
    attempt: 1,
    extra: null,
    startedAt: '',
    finishedAt: '',
  };
}

// 10 samples, label 0 everywhere. Zero-shot (seed 0 only: deterministic) is right on samples 0-5.
// TPT at seeds 0 and 1: fixes sample 6 at both seeds, breaks sample 0 at seed 1, and changes sample 7
// from one wrong class to another at seed 0.
const labels = Array.from({ length: 10 }, () => 0);
const zs = labels.map((label, i) => rec(zeroshot, 0, i, i < 6 ? 0 : 1, label));
const tptRecords = [0, 1].flatMap((seed) =>
  labels.map((label, i) => {
    let prediction = i < 6 ? 0 : 1;
    if (i === 6) prediction = 0;
    if (i === 0 && seed === 1) prediction = 2;
    if (i === 7 && seed === 0) prediction = 3;
    return rec(tpt, seed, i, prediction, label);
  }),
);

describe('comparePaired', () => {
  const c = comparePaired([...zs, ...tptRecords], tpt, zeroshot, { resamples: 4000, seed: 1 });

  it('counts changed, fixed and broken over (seed, sample) pairs, a one-seed baseline standing in at every seed', () => {
    expect(c.pairs).toBe(20);
    expect(c.changed).toBe(4); // sample 6 twice, sample 0 at seed 1, sample 7 at seed 0
    expect(c.fixed).toBe(2);
    expect(c.broken).toBe(1);
    expect(c.changedFraction).toBeCloseTo(0.2, 12);
    expect(c.accuracyDifference).toBeCloseTo(1 / 20, 12);
  });

  it('gives a seeded bootstrap interval around the difference, the same for the same seed', () => {
    const [lo, hi] = c.interval95!;
    expect(lo).toBeLessThanOrEqual(0.05);
    expect(hi).toBeGreaterThanOrEqual(0.05);
    // Per sample (2 pairs each) the difference sums are +2 (sample 6), -1 (sample 0), 0 otherwise, so a
    // resample's estimate is (2·n6 − n0) / 20 with n6, n0 ~ Binomial(10, 0.1): P(n6 >= 3) ≈ 7 %, so the
    // upper end is 0.2 or 0.3 (n6 = 2 or 3 draws); the lower end is at most −0.05 (no sample 6, some 0).
    expect(lo).toBeLessThanOrEqual(-0.05 + 1e-12);
    expect(lo).toBeGreaterThanOrEqual(-0.15 - 1e-12);
    expect(hi).toBeGreaterThanOrEqual(0.2 - 1e-12);
    expect(hi).toBeLessThanOrEqual(0.3 + 1e-12);
    expect(
      comparePaired([...zs, ...tptRecords], tpt, zeroshot, { resamples: 4000, seed: 1 }).interval95,
    ).toEqual(c.interval95);
  });

  it('a method against itself changes nothing and has a zero-width interval', () => {
    const self = comparePaired(zs, zeroshot, zeroshot);
    expect([self.changed, self.fixed, self.broken, self.accuracyDifference]).toEqual([0, 0, 0, 0]);
    expect(self.interval95).toEqual([0, 0]);
  });

  it('no common pairs: nulls, not zeros; bad resamples are named', () => {
    const none = comparePaired(tptRecords, tpt, zeroshot);
    expect(none.pairs).toBe(0);
    expect(none.accuracyDifference).toBeNull();
    expect(none.interval95).toBeNull();
    expect(() => comparePaired(zs, tpt, zeroshot, { resamples: 0 })).toThrow(
      /resamples must be an integer >= 1, got 0/,
    );
  });
});

describe('summary against a baseline', () => {
  const run: RunInfo = {
    runId: 'r',
    suite: 'toy',
    suiteConfig: {},
    suiteConfigHash: 'c'.repeat(64),
    sampleList: 'l',
    sampleListSha256: 'a'.repeat(64),
    sampleKeysSha256: 'b'.repeat(64),
    sampleCount: 10,
    sampleLimit: null,
    methods: [zeroshot, tpt],
    seeds: [0, 1],
    createdAt: '',
    harnessVersion: '0.1.0',
  };

  it('compares every method with zero-shot by default and prints the table', () => {
    const summary = summarizeRecords(run, [...zs, ...tptRecords]);
    expect(summary.baseline).toBe('zeroshot');
    expect(summary.comparisons.map((c) => [c.method, c.changed, c.fixed, c.broken])).toEqual([
      ['tpt', 4, 2, 1],
    ]);
    const md = renderSummaryMarkdown(summary);
    expect(md).toContain('## Against zeroshot: predictions changed, fixed, broken');
    expect(md).toMatch(/\| tpt\s+\| 20\s+\| 4 \(20\.0 %\)\s+\| 2\s+\| 1\s+\| \+5\.00/);
  });

  it('takes another baseline by name, and names the methods when it is not one of them', () => {
    const summary = summarizeRecords(run, [...zs, ...tptRecords], { baseline: 'tpt' });
    expect(summary.comparisons.map((c) => [c.method, c.fixed, c.broken])).toEqual([['zeroshot', 0, 1]]);
    expect(() => summarizeRecords(run, zs, { baseline: 'sts' })).toThrow(
      /baseline "sts" is not a method of run r \(methods: zeroshot, tpt\)/,
    );
    const noZeroShot = summarizeRecords({ ...run, methods: [tpt] }, tptRecords);
    expect(noZeroShot.baseline).toBeNull();
    expect(renderSummaryMarkdown(noZeroShot)).not.toContain('## Against');
  });
});
