import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxBackend from '@attune/backend-onnx/plugin';
import { ResultStore, runBenchmark, summarizeRun } from '@attune/bench';
import { CORRUPTION_FAMILIES, RENDITION_FAMILIES, SUITES } from '@attune/data';
import { zeroshot } from '@attune/method-zeroshot';
import { clipModelPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import { afterAll, describe, expect, it } from 'vitest';
import plugins from '../src/plugin.js';

function registry() {
  const r = new Registry().register(onnxBackend).register(clipModelPlugin).register(zeroshot);
  for (const suite of plugins) r.register(suite);
  return r;
}

const dir = mkdtempSync(join(tmpdir(), 'attune-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('corruption suites', () => {
  it('expose the pinned lists of @attune/data with unique keys and the four families', async () => {
    const r = registry();
    for (const name of ['mini-clip-corrupt-short', 'mini-clip-corrupt-full'] as const) {
      const suite = (await r.create(name)) as unknown as {
        sampleList: string;
        entries(): unknown[];
        sampleKey(e: unknown): string;
        family(e: unknown): string;
      };
      expect(suite.sampleList).toBe(SUITES[name].listPath);
      const entries = suite.entries();
      expect(entries).toHaveLength(SUITES[name].samples);
      expect(new Set(entries.map((e) => suite.sampleKey(e))).size).toBe(entries.length);
      expect(new Set(entries.map((e) => suite.family(e)))).toEqual(new Set(Object.keys(CORRUPTION_FAMILIES)));
    }
  });

  it('runs a real method through the harness: records match the method on the same images', async () => {
    const store = ResultStore.open(join(dir, 'results.sqlite'));
    try {
      const result = await runBenchmark({
        registry: registry(),
        suite: 'mini-clip-corrupt-short',
        methods: [{ name: 'zeroshot' }],
        seeds: [0],
        limit: 6,
        store,
      });
      expect(result.evaluated).toBe(6);
      const records = store.records(result.run.runId);
      expect(records).toHaveLength(6);
      for (const record of records) {
        expect(typeof record.prediction).toBe('number');
        expect(record.correct).toBe(record.prediction === record.label);
        expect(['noise', 'blur', 'weather', 'digital']).toContain(record.family);
      }
      const summary = summarizeRun(store, result.run.runId);
      expect(summary).toBeTypeOf('object');
    } finally {
      store.close();
    }
  }, 120_000);

  it('shift suites: the rendition families, and a real 20-way run whose labels span both datasets', async () => {
    const r = registry();
    for (const name of ['shift-short', 'shift-full'] as const) {
      const suite = (await r.create(name)) as unknown as { entries(): unknown[]; family(e: unknown): string };
      expect(new Set(suite.entries().map((e) => suite.family(e)))).toEqual(
        new Set(Object.keys(RENDITION_FAMILIES)),
      );
    }
    const store = ResultStore.open(join(dir, 'shift.sqlite'));
    try {
      const result = await runBenchmark({
        registry: r,
        suite: 'shift-short',
        methods: [{ name: 'zeroshot' }],
        seeds: [0],
        limit: 24,
        store,
      });
      const records = store.records(result.run.runId);
      expect(records).toHaveLength(24);
      const labels = records.map((rec) => rec.label as number);
      expect(Math.min(...labels)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...labels)).toBeGreaterThanOrEqual(10); // Fashion-MNIST's classes come after the digits
      expect(Math.max(...labels)).toBeLessThan(20);
      for (const rec of records) {
        expect(rec.correct).toBe(rec.prediction === rec.label);
        expect(rec.extra!.label_name).toBeTypeOf('string');
      }
      expect(result.run.suiteConfig).toMatchObject({ labelSpace: 'joint' });
    } finally {
      store.close();
    }
  }, 120_000);
});
