import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BenchRecord,
  type RunInfo,
  renderAccuracySvg,
  summarizeRecords,
  writeReports,
} from '../src/index.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const run: RunInfo = {
  runId: 'r1',
  suite: 'toy',
  suiteConfig: {},
  suiteConfigHash: 'c'.repeat(64),
  sampleList: '/lists/toy.json',
  sampleListSha256: 'a'.repeat(64),
  sampleKeysSha256: 'b'.repeat(64),
  sampleCount: 4,
  sampleLimit: null,
  methods: [
    { name: 'alpha', config: { k: 1 }, configHash: '1'.repeat(64) },
    { name: 'beta', config: {}, configHash: '2'.repeat(64) },
  ],
  seeds: [0, 1],
  createdAt: '2025-01-01T00:00:00.000Z',
  harnessVersion: '0.1.0',
};

// Samples 0,1 are 'clean', 2,3 are 'noise'.
const family = (i: number) => (i < 2 ? 'clean' : 'noise');
function rec(
  method: 'alpha' | 'beta',
  seed: number,
  i: number,
  correct: boolean,
  latencyMs: number,
  peak: number,
): BenchRecord {
  return {
    runId: 'r1',
    suite: 'toy',
    method,
    configHash: (method === 'alpha' ? '1' : '2').repeat(64),
    seed,
    sampleKey: `s${i}`,
    sampleIndex: i,
    family: family(i),
    prediction: correct ? 1 : 0,
    label: 1,
    correct,
    latencyMs,
    peakRssBytes: peak,
    peakRssScope: 'sample',
    backend: 'js-cpu',
    threads: 2,
    sampleList: run.sampleList,
    sampleListSha256: run.sampleListSha256,
    nodeVersion: 'v20',
    worker: 0,
    pid: 1,
    attempt: 1,
    extra: null,
    startedAt: '',
    finishedAt: '',
  };
}

// alpha: seed 0 gets clean 2/2, noise 1/2; seed 1 gets clean 1/2, noise 0/2. Latencies 1..8 ms.
const alpha = [
  rec('alpha', 0, 0, true, 1, 100),
  rec('alpha', 0, 1, true, 2, 300),
  rec('alpha', 0, 2, true, 3, 200),
  rec('alpha', 0, 3, false, 4, 100),
  rec('alpha', 1, 0, true, 5, 100),
  rec('alpha', 1, 1, false, 6, 100),
  rec('alpha', 1, 2, false, 7, 100),
  rec('alpha', 1, 3, false, 8, 250),
];
// beta ran seed 0 only on the clean samples (a partial run).
const beta = [rec('beta', 0, 0, true, 10, 50), rec('beta', 0, 1, false, 30, 60)];

describe('summarizeRecords', () => {
  const summary = summarizeRecords(run, [...beta, ...alpha]);
  const a = summary.methods[0]!;
  const b = summary.methods[1]!;
  // Sample std (n - 1) of two accuracies 0.5 apart: sqrt(2 * 0.25^2 / 1) = 0.35355.
  const s = Math.sqrt(0.125);

  it('computes per-seed accuracy, then mean ± sample std over seeds, per family and overall', () => {
    expect(summary.families).toEqual(['clean', 'noise']);
    expect(a.families.clean!.perSeed).toEqual([
      { seed: 0, correct: 2, samples: 2, accuracy: 1 },
      { seed: 1, correct: 1, samples: 2, accuracy: 0.5 },
    ]);
    expect(a.families.clean!.mean).toBeCloseTo(0.75, 12);
    expect(a.families.clean!.std).toBeCloseTo(s, 12);
    expect(a.families.noise!.mean).toBeCloseTo(0.25, 12);
    expect(a.families.noise!.std).toBeCloseTo(s, 12);
    expect(a.overall.perSeed.map((p) => p.accuracy)).toEqual([0.75, 0.25]);
    expect(a.overall.mean).toBeCloseTo(0.5, 12);
    expect(a.overall.std).toBeCloseTo(s, 12);
  });

  it('reports p50/p95 latency (linear interpolation), the largest peak RSS, backends and threads', () => {
    expect(a.latencyMs!.p50).toBeCloseTo(4.5, 12);
    expect(a.latencyMs!.p95).toBeCloseTo(7.65, 12);
    expect(a.latencyMs!.mean).toBeCloseTo(4.5, 12);
    expect(a.peakRssBytes).toBe(300);
    expect(a.peakRssScope).toBe('sample');
    expect(a.backends).toEqual(['js-cpu']);
    expect(a.threads).toEqual([2]);
    expect(a.complete).toBe(true);
    expect(a.samples).toBe(8);
  });

  it('marks partial methods and runs; a single seed has no std; an empty family has no mean', () => {
    expect(b.complete).toBe(false);
    expect(b.overall).toEqual({
      mean: 0.5,
      std: null,
      perSeed: [{ seed: 0, correct: 1, samples: 2, accuracy: 0.5 }],
    });
    expect(b.families.noise).toEqual({ mean: null, std: null, perSeed: [] });
    expect(b.latencyMs).toEqual({ p50: 20, p95: 29, mean: 20 });
    expect(summary.expected).toBe(16);
    expect(summary.recorded).toBe(10);
    expect(summary.complete).toBe(false);
  });

  it('labels a method listed with two configs by name@hash', () => {
    const twice = summarizeRecords(
      {
        ...run,
        methods: [run.methods[0]!, { ...run.methods[0]!, config: { k: 2 }, configHash: '3'.repeat(64) }],
      },
      alpha,
    );
    expect(twice.methods.map((m) => m.label)).toEqual(['alpha@11111111', 'alpha@33333333']);
  });
});

describe('reports', () => {
  const summary = summarizeRecords(run, [...alpha, ...beta]);

  it('writes summary.json (the summary itself), summary.md (tables) and accuracy.svg', async () => {
    const dir = tempDir();
    const files = await writeReports(summary, `${dir}/out`);
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(summary)));
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toContain('## Accuracy (%): mean ± std over 2 seeds');
    expect(md).toMatch(/\| alpha +\| 75\.00 ± 35\.36 \| 25\.00 ± 35\.36 \| 50\.00 ± 35\.36 \|/);
    expect(md).toMatch(/\| beta +\| 50\.00 +\| — +\| 50\.00 +\|/);
    expect(md).toMatch(/\| alpha +\| js-cpu +\| 2 +\| 4\.50 +\| 7\.65 +\|/);
    expect(md).toContain('**partial** (10/16 records)');
    expect(readFileSync(files.svg, 'utf8')).toMatch(/^<svg /);
  });

  it('draws one bar per method and group at its accuracy, with error bars only where a std exists', async () => {
    const svg = await renderAccuracySvg(summary);
    const bars = [
      ...svg.matchAll(
        /aria-label="group: ([^;]+); accuracy \(%\): ([\d.]+); method: ([^"]+)" role="graphics-symbol" aria-roledescription="bar"/g,
      ),
    ].map((m) => [m[1], m[3], Number(Number(m[2]).toFixed(2))]);
    expect(bars).toEqual([
      ['clean', 'alpha', 75],
      ['clean', 'beta', 50],
      ['noise', 'alpha', 25],
      ['overall', 'alpha', 50],
      ['overall', 'beta', 50],
    ]);
    // alpha's three bars have a std (two seeds), drawn from mean - std to mean + std; beta's have none.
    const errorBars = [
      ...svg.matchAll(
        /<line aria-label="group: ([^;]+); [^"]*method: ([^;]+); hi: ([\d.]+); lo: ([\d.]+)" role="graphics-symbol" aria-roledescription="errorbar"/g,
      ),
    ].map((m) => [m[1], m[2], Number(Number(m[4]).toFixed(2)), Number(Number(m[3]).toFixed(2))]);
    expect(errorBars).toEqual([
      ['clean', 'alpha', 39.64, 100],
      ['noise', 'alpha', 0, 60.36],
      ['overall', 'alpha', 14.64, 85.36],
    ]);
  });
});
