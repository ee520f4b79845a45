// The image-folder suite on a user's folder written from 36 real MNIST test digits: the pinned list (path +
// sha256 per file, seeded order), a real zero-shot run through the harness as `images:<dir>`, resume that
// evaluates nothing twice, a changed file that is caught, and the suite's errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxBackend from '@attune/backend-onnx/plugin';
import { ResultStore, runBenchmark, summarizeRun } from '@attune/bench';
import { loadMnist, MNIST_CLASS_NAMES, writeImageFolder } from '@attune/data';
import { zeroshot } from '@attune/method-zeroshot';
import { clipModelPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFolderConfig, pinImageFolder } from '../src/index.js';
import plugins from '../src/plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'attune-image-suite-'));
const digits = join(dir, 'digits');
const mnist = loadMnist('test');
process.env.ATTUNE_CACHE_DIR = join(dir, 'cache');
beforeAll(() => {
  writeImageFolder(mnist, digits, { count: 36 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function registry() {
  const r = new Registry().register(onnxBackend).register(clipModelPlugin).register(zeroshot);
  for (const suite of plugins) r.register(suite);
  return r;
}

describe('image-folder suite', () => {
  it('pins every file (path, sha256, label) in a seeded order; the same config gives the same list', () => {
    const config = imageFolderConfig.parse({ root: digits });
    const a = pinImageFolder(config);
    const b = pinImageFolder(config);
    expect(a.entries).toHaveLength(36);
    expect(readFileSync(a.listPath, 'utf8')).toBe(readFileSync(b.listPath, 'utf8'));
    const other = pinImageFolder(imageFolderConfig.parse({ root: digits, seed: 1 }));
    expect(other.entries.map((e) => e.key)).not.toEqual(a.entries.map((e) => e.key));
    expect(new Set(other.entries.map((e) => e.key))).toEqual(new Set(a.entries.map((e) => e.key)));
    const lines = readFileSync(a.listPath, 'utf8').split('\n');
    expect(lines).toContain('key\tsha256\tlabel\tclass\tfolder');
    for (const entry of a.entries) {
      const index = Number(/(\d{5})\.png$/.exec(entry.key)![1]);
      expect(entry.className).toBe(MNIST_CLASS_NAMES[mnist.labels[index]!]);
      expect(lines).toContain(
        [entry.key, entry.sha256, entry.label, entry.className, entry.folder].join('\t'),
      );
    }
    const limited = pinImageFolder(imageFolderConfig.parse({ root: digits, limit: 5 }));
    expect(limited.entries.map((e) => e.key)).toEqual(a.entries.slice(0, 5).map((e) => e.key));
  });

  it('runs zero-shot through the harness as images:<dir>, resumes without recomputing, and reports by class', async () => {
    const store = ResultStore.open(join(dir, 'results.sqlite'));
    const suite = `images:${digits}`;
    try {
      const first = await runBenchmark({
        registry: registry(),
        suite,
        methods: [{ name: 'zeroshot' }],
        seeds: [0],
        limit: 12,
        store,
      });
      expect(first.evaluated).toBe(12);
      expect(first.run.suite).toBe(suite);
      expect(first.run.runId).toMatch(/^images-.*digits-/);
      expect(first.run.suiteConfig).toMatchObject({ root: digits, seed: 0, skipUnreadable: false });
      const again = await runBenchmark({ registry: registry(), suite, store, resume: true });
      expect(again.evaluated).toBe(0);
      expect(again.alreadyDone).toBe(12);
      const records = store.records(first.run.runId);
      expect(records).toHaveLength(12);
      for (const record of records) {
        expect(record.correct).toBe(record.prediction === record.label);
        expect(record.extra!.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(MNIST_CLASS_NAMES[Number(record.family)]).toBe(record.extra!.label_name);
      }
      const summary = summarizeRun(store, first.run.runId);
      expect(summary.recorded).toBe(12);
      // mini-CLIP zero-shot is ~90% on clean digits; 12 samples keep this loose.
      expect(records.filter((r) => r.correct).length).toBeGreaterThanOrEqual(8);
    } finally {
      store.close();
    }
  }, 120_000);

  it('a file changed after pinning fails its sample instead of being evaluated as if unchanged', async () => {
    const { entries } = pinImageFolder(imageFolderConfig.parse({ root: digits }));
    const { loadPinnedImage } = await import('../src/index.js');
    const entry = entries[0]!;
    const bytes = readFileSync(entry.path);
    try {
      writeFileSync(entry.path, Buffer.concat([bytes, Buffer.from([0])]));
      expect(() => loadPinnedImage(entry)).toThrow(/changed since its sample list was pinned/);
    } finally {
      writeFileSync(entry.path, bytes);
    }
  });

  it('refuses a flat folder (no labels), an unknown config key and a folder given twice', async () => {
    const flat = join(dir, 'flat');
    writeImageFolder(mnist, flat, { count: 3, flat: true });
    await expect(registry().create('image-folder', { root: flat })).rejects.toThrow(
      /is flat .*needs root\/<class>\/<image>/,
    );
    await expect(registry().create('image-folder', { root: digits, lmit: 3 })).rejects.toThrow(/lmit/);
    const store = ResultStore.open(join(dir, 'bad.sqlite'));
    try {
      await expect(
        runBenchmark({
          registry: registry(),
          suite: `images:${digits}`,
          suiteConfig: { root: flat },
          methods: [{ name: 'zeroshot' }],
          store,
        }),
      ).rejects.toThrow(/its config gives root/);
    } finally {
      store.close();
    }
  });
});
