import { describe, expect, it } from 'vitest';
import { buildReport, formatDocument, type RunMeta } from '../src/document.js';
import { GiB, MiB } from '../src/memory.js';
import {
  compareWithTpt,
  describePrediction,
  extrapolate,
  formatComparison,
  formatOverhead,
  formatResultsTable,
  linearFit,
  overheadBeyondEncoding,
  predictAt,
  summarizeCase,
  tableRows,
} from '../src/report.js';
import type { CaseResult, CaseSpec, MethodName, SampleRecord, StageTimes } from '../src/types.js';

function spec(method: MethodName, classes: number, role: CaseSpec['role'] = 'main'): CaseSpec {
  return { method, classes, role, samples: 3, warmup: 1, model: 'shaped:clip-vit-b-32', views: 64 };
}

function sample(totalMs: number, stages: StageTimes, maxRssBytes = GiB): SampleRecord {
  return {
    image: 'cat',
    seed: 0,
    totalMs,
    cpuMs: totalMs * 1.5,
    stages,
    maxRssBytes,
    tfMemory: { numTensors: 3, numBytes: 1024 },
    facts: { viewsKept: 6, steps: 1 },
  };
}

function ok(
  s: CaseSpec,
  samples: SampleRecord[],
  peakRssBytes: number,
  extra: Partial<CaseResult> = {},
): CaseResult {
  return { spec: s, status: 'ok', samples, warmups: [], peakRssBytes, wallSeconds: 1, notes: [], ...extra };
}

const sts200 = ok(
  spec('sts', 200),
  [
    sample(11_000, { views: 900, encode: 10_000, adapt: 60, predict: 40 }),
    sample(12_000, { views: 1_100, encode: 10_800, adapt: 60, predict: 40 }),
    sample(10_500, { views: 800, encode: 9_600, adapt: 50, predict: 50 }),
  ],
  1.2 * GiB,
);
const tptProbe = (classes: number, p50: number, rss: number, heap: number) =>
  ok(spec('tpt', classes, 'probe'), [sample(p50, { encode: 10_000, adapt: p50 - 10_000 })], rss, {
    wasmHeapBytes: heap,
  });
const tptDoesNotFit: CaseResult = {
  spec: spec('tpt', 200),
  status: 'does-not-fit',
  reason: 'does not fit: the tfjs-wasm heap ran out during warm-up sample 1 (cat)',
  samples: [],
  warmups: [],
  wallSeconds: 60,
  notes: [],
};

describe('summaries', () => {
  it('takes p50/p95 over the timed samples and the median of each stage', () => {
    const s = summarizeCase(sts200);
    expect(s.p50Ms).toBe(11_000);
    expect(s.p95Ms).toBeCloseTo(11_900, 6); // numpy's linear interpolation: 11000 + 0.9 · 1000
    expect(s.stagesP50Ms).toEqual({ views: 900, encode: 10_000, adapt: 60, predict: 40 });
    expect(s.facts).toEqual({ viewsKept: 6, steps: 1 });
  });

  it('formats a row per case, with the reason of a case that does not fit', () => {
    const rows = tableRows([summarizeCase(sts200), summarizeCase(tptDoesNotFit)]);
    expect(rows[0]).toEqual([
      'sts',
      '200',
      '3',
      '11.00',
      '11.90',
      '16.50',
      '10.00',
      '0.060',
      '0.040',
      '0.90',
      '–',
      String(Math.round((1.2 * GiB) / MiB)),
      '–',
      '–',
      '6 views kept; 1 step(s)',
    ]);
    expect(rows[1]!.slice(0, 5)).toEqual(['tpt', '200', '0', '–', '–']);
    expect(rows[1]!.at(-1)).toBe(
      '**does not fit: the tfjs-wasm heap ran out during warm-up sample 1 (cat)**',
    );
    const table = formatResultsTable([summarizeCase(sts200)]).split('\n');
    expect(table[0]).toMatch(/^\| method \| C +\| N +\| p50 s\/sample \|/);
    expect(table[1]).toMatch(/^\| -+ \| -+ \|/);
    expect(table).toHaveLength(3);
  });
});

describe('extrapolation', () => {
  it('fits a least-squares line', () => {
    const fit = linearFit([
      [4, 14],
      [8, 22],
      [12, 30],
    ]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(6, 12);
    expect(predictAt(fit, 200)).toBeCloseTo(406, 9);
    expect(() => linearFit([[4, 1]])).toThrow('two different x');
  });

  it("extrapolates a method's memory from its finished probes only", () => {
    const probes = [
      summarizeCase(tptProbe(4, 14_000, 3 * GiB, 1.6 * GiB)),
      summarizeCase(tptProbe(8, 20_000, 4.2 * GiB, 2.9 * GiB)),
      summarizeCase({ ...tptDoesNotFit, spec: spec('tpt', 16, 'probe') }),
    ];
    const e = extrapolate(probes, 200)!;
    expect(e.fromClasses).toEqual([4, 8]);
    expect(e.rssBytesPerClass / GiB).toBeCloseTo(0.3, 9);
    expect(e.peakRssBytes / GiB).toBeCloseTo(1.8 + 0.3 * 200, 6);
    expect(e.wasmHeapBytesPerClass! / GiB).toBeCloseTo(0.325, 9);
    expect(e.wasmHeapBytes! / GiB).toBeCloseTo(0.3 + 0.325 * 200, 6);
    expect(describePrediction(e)).toBe(
      'predicted from C=4,8 (0.32 GiB/class): ~65 GiB tfjs-wasm heap, ~62 GiB RSS',
    );
    expect(extrapolate(probes.slice(0, 1), 200)).toBeUndefined();
  });
});

describe('STS vs TPT', () => {
  it('divides measured p50 and peak RSS when both ran', () => {
    const tpt = ok(spec('tpt', 200), [sample(110_000, { encode: 10_000, adapt: 99_000 })], 15.6 * GiB);
    const c = compareWithTpt([summarizeCase(sts200), summarizeCase(tpt)], 'sts', 200)!;
    expect(c.measured!.speed).toBeCloseTo(10, 9);
    expect(c.measured!.memory).toBeCloseTo(13, 9);
    expect(c.unchunkedMemory).toBeUndefined();
    expect(formatComparison(c)).toEqual([
      '- sts vs tpt at C = 200 (both measured): **10× faster** (p50 wall time; target ≥ 8×: met; CPU time per sample 10× less), **13× less peak RSS** (target ≥ 10×: met).',
    ]);
  });

  it("names TPT's chunk and adds the unchunked TPT's extrapolated memory when probes ran", () => {
    const chunked = (x: SampleRecord) => ({ ...x, facts: { ...x.facts, chunk: 8 } });
    const tpt = ok(
      spec('tpt', 200),
      [sample(264_000, { encode: 10_000, adapt: 200_000, predict: 53_000 })]
        .map(chunked)
        .map((x) => ({ ...x, cpuMs: 330_000 })),
      4.2 * GiB,
    );
    const summaries = [
      summarizeCase(sts200),
      summarizeCase(tptProbe(4, 14_000, 3 * GiB, 1.6 * GiB)),
      summarizeCase(tptProbe(8, 20_000, 4.2 * GiB, 2.9 * GiB)),
      summarizeCase(tpt),
    ];
    const c = compareWithTpt(summaries, 'sts', 200)!;
    expect(c.measured!.speed).toBeCloseTo(24, 9);
    expect(c.measured!.memory).toBeCloseTo(3.5, 9);
    expect(c.measured!.tptChunk).toBe(8);
    expect(c.measured!.cpu).toBeCloseTo(20, 9);
    expect(c.lowerBound).toBeUndefined();
    expect(c.unchunkedMemory!.memory).toBeCloseTo(61.8 / 1.2, 6);
    expect(c.unchunkedMemory!.fromClasses).toEqual([4, 8]);
    expect(formatComparison(c)).toEqual([
      '- sts vs tpt at C = 200 (both measured; tpt back-propagates in chunks of 8 prompts): **24× faster** (p50 wall time; target ≥ 8×: met; CPU time per sample 20× less), **3.5× less peak RSS** (target ≥ 10×: **not met**).',
      '  - tpt without chunking (all 200 prompts in one taped pass, as the released code): peak RSS extrapolated linearly in C from its probes at C = 4, 8: ~62 GiB, **~52× less peak memory** for sts (an estimate, not a measurement; target ≥ 10×: met by this estimate).',
    ]);
    expect(tableRows([summarizeCase(tpt)])[0]!.at(-1)).toBe(
      'text encoder in chunks of 8 prompts; 6 views kept; 1 step(s)',
    );
    expect(tableRows([summaries[1]!])[0]!.at(-1)).toBe(
      'probe: all C prompts in one taped pass; 6 views kept; 1 step(s)',
    );
  });

  it('gives lower bounds from the largest probe when TPT does not fit', () => {
    const summaries = [
      summarizeCase(sts200),
      summarizeCase(tptProbe(4, 14_000, 3 * GiB, 1.6 * GiB)),
      summarizeCase(tptProbe(8, 20_000, 4.2 * GiB, 2.9 * GiB)),
      summarizeCase(tptDoesNotFit),
    ];
    const c = compareWithTpt(summaries, 'sts', 200)!;
    expect(c.measured).toBeUndefined();
    expect(c.lowerBound).toEqual({ speed: 20_000 / 11_000, memory: 4.2 / 1.2, tptClasses: 8 });
    const lines = formatComparison(c);
    expect(lines[0]).toBe(
      '- sts vs tpt at C = 200: **not measurable directly** — tpt at C = 200 does not fit: the tfjs-wasm heap ran out during warm-up sample 1 (cat).',
    );
    expect(lines[1]).toContain('≥ 1.8× faster (target ≥ 8×: **not met** as a bound)');
    expect(lines[1]).toContain('≥ 3.5× less peak RSS');
    expect(lines[2]).toContain('~52× less peak memory');
  });

  it('has nothing to compare without an STS result', () => {
    expect(compareWithTpt([summarizeCase(tptDoesNotFit)], 'sts', 200)).toBeUndefined();
  });
});

describe("STS's time beyond encoding", () => {
  it('is the median over samples, with and without the views', () => {
    const o = overheadBeyondEncoding(sts200)!;
    // per sample (total − encode)/encode: 0.1, 0.111, 0.09375 → median 0.1
    expect(o.beyondEncode).toBeCloseTo(0.1, 12);
    // (adapt + predict)/encode: 0.01, 0.009259, 0.010417 → 0.01
    expect(o.adaptPredict).toBeCloseTo(0.01, 12);
    expect(o.views).toBeCloseTo(0.09, 12);
    expect(formatOverhead(o)).toEqual([
      "- sts, C = 200: adaptation + prediction = **1.0 %** of the view-encoding time (target ≤ 10.0 %: met); everything beyond encoding, including the views' augmentation (9.0 %), = **10.0 %** (met).",
    ]);
  });

  it('is undefined for a case that did not run', () => {
    expect(overheadBeyondEncoding(tptDoesNotFit)).toBeUndefined();
  });
});

describe('the document', () => {
  const meta: RunMeta = {
    date: '2026-01-01T00:00:00.000Z',
    command: 'pnpm bench',
    quick: false,
    model: 'shaped:clip-vit-b-32',
    machine: { cpu: 'CPU', cores: 2, memTotalBytes: 24 * GiB, node: 'v20', loadAverageStart: [1, 2, 3] },
    samples: 3,
    warmup: 1,
    photos: ['cat'],
    budget: 'a budget',
    finished: true,
  };

  it('has the table, the ratios, the overhead and the list of what does not fit', () => {
    const doc = formatDocument(
      buildReport(meta, [
        tptProbe(4, 14_000, 3 * GiB, 1.6 * GiB),
        tptProbe(8, 20_000, 4.2 * GiB, 2.9 * GiB),
        sts200,
        tptDoesNotFit,
      ]),
    );
    expect(doc).toContain('## Per-sample latency and peak memory');
    expect(doc).toContain('### Probes: the gradient methods at small C');
    expect(doc).toContain('- sts vs tpt at C = 200: **not measurable directly**');
    expect(doc).toContain('- sts, C = 200: adaptation + prediction = **1.0 %**');
    expect(doc).toContain(
      '- tpt, C = 200: does not fit: the tfjs-wasm heap ran out during warm-up sample 1 (cat); memory predicted from C=4,8 (0.32 GiB/class): ~65 GiB tfjs-wasm heap, ~62 GiB RSS',
    );
    expect(doc).toContain('load average (1/5/15 min) 1.00 / 2.00 / 3.00 at the start');
  });
});
