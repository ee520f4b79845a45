import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConfigError, UnknownPluginError } from '@attune/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BenchProgress,
  EvaluationError,
  InvalidBenchOptionError,
  ResultStore,
  ResumeMismatchError,
  RunExistsError,
  runBenchmark,
  summarizeRun,
  UnknownSuiteError,
} from '../src/index.js';
import { corrupt, type Family } from './fixtures/corruptions.js';
import { image } from './fixtures/mnist-idx.js';
import { DEFAULT_LIST } from './fixtures/mnist-suite.js';
import type { PixelClassifier } from './fixtures/pixel-methods.js';
import { createRegistry } from './fixtures/registry.js';
import { outcomeOf, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const registry = createRegistry();
const openStore = () => ResultStore.open(join(tempDir(), 'results.sqlite'), { durability: 'normal' });
const methods = [{ name: 'nearest-centroid' }, { name: 'knn', config: { trainSize: 400 } }];

describe('runBenchmark on real MNIST digits (in this process)', () => {
  let store: ResultStore;
  let runId: string;
  const progress: BenchProgress[] = [];
  beforeAll(async () => {
    store = openStore();
    const result = await runBenchmark({
      registry,
      suite: 'mnist-digits',
      methods,
      seeds: [0, 1],
      limit: 90,
      store,
      onProgress: (p) => progress.push(p),
    });
    runId = result.run.runId;
    expect(result).toMatchObject({
      total: 360,
      alreadyDone: 0,
      evaluated: 360,
      interrupted: false,
      workersStarted: 0,
    });
  });
  afterAll(() => store.close());

  it('records every (method, seed, sample) once with the full provenance', () => {
    const records = store.records(runId);
    expect(records).toHaveLength(360);
    expect(new Set(records.map((r) => `${r.method}|${r.seed}|${r.sampleKey}`)).size).toBe(360);
    const run = store.getRun(runId)!;
    expect(run.sampleList).toBe(DEFAULT_LIST);
    expect(run.sampleListSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.methods.map((m) => [m.name, m.config])).toEqual([
      ['nearest-centroid', { perClass: 10 }],
      ['knn', { k: 3, trainSize: 400 }],
    ]);
    for (const r of records) {
      expect(r.family).toBe(r.sampleKey.split('/')[1]);
      expect(r.correct).toBe(r.prediction === r.label);
      expect(r.latencyMs).toBeGreaterThan(0);
      expect(r.peakRssBytes).toBeGreaterThan(20 * 2 ** 20);
      expect(r.peakRssScope).toBe(process.platform === 'linux' ? 'sample' : 'process');
      expect(r).toMatchObject({ backend: 'js-cpu', threads: 1, worker: 0, pid: process.pid, attempt: 1 });
      expect(r.nodeVersion).toBe(process.version);
      expect(r.sampleListSha256).toBe(run.sampleListSha256);
      expect(Date.parse(r.finishedAt)).toBeGreaterThanOrEqual(Date.parse(r.startedAt));
    }
    expect(store.attempts(runId)).toHaveLength(360);
  });

  it('stores what the method really predicts (recomputed here, independently of the harness)', async () => {
    const records = store.records(runId).filter((r) => r.method === 'knn' && r.seed === 1);
    const knn = await registry.create<PixelClassifier>('knn', { trainSize: 400 }, { seed: 1 });
    const list = JSON.parse(readFileSync(DEFAULT_LIST, 'utf8')) as {
      entries: { key: string; index: number; family: Family }[];
    };
    for (const r of records.slice(0, 30)) {
      const entry = list.entries.find((e) => e.key === r.sampleKey)!;
      expect(r.prediction).toBe(knn.predict(corrupt(image('t10k', entry.index), entry.family, entry.index)));
    }
  });

  it('gives plausible real accuracies: clean well above chance, the shift corruption far lower', () => {
    const summary = summarizeRun(store, runId);
    expect(summary.complete).toBe(true);
    for (const m of summary.methods) {
      expect(m.families.clean!.mean!).toBeGreaterThan(0.6);
      expect(m.families.shift!.mean!).toBeLessThan(m.families.clean!.mean! - 0.3);
      expect(m.overall.perSeed.map((s) => s.samples)).toEqual([90, 90]);
    }
    // Different seeds learn from different training images, so they disagree somewhere.
    const bySeed = (seed: number) =>
      store
        .records(runId)
        .filter((r) => r.method === 'nearest-centroid' && r.seed === seed)
        .map((r) => r.prediction);
    expect(bySeed(0)).not.toEqual(bySeed(1));
  });

  it('reports progress from 0 to the total, one step per record', () => {
    const evaluate = progress.filter((p) => p.stage === 'evaluate');
    expect(evaluate[0]).toEqual({ stage: 'evaluate', done: 0, total: 360 });
    expect(evaluate.at(-1)).toEqual({ stage: 'evaluate', done: 360, total: 360 });
    expect(evaluate.map((p) => p.done)).toEqual(Array.from({ length: 361 }, (_, i) => i));
  });

  it('resuming a finished run evaluates nothing', async () => {
    const again = await runBenchmark({ registry, suite: 'mnist-digits', store, resume: true });
    expect(again).toMatchObject({ evaluated: 0, alreadyDone: 360, total: 360, interrupted: false });
    expect(again.run.runId).toBe(runId);
    expect(store.countRecords(runId)).toBe(360);
  });
});

describe('stop and resume (abort signal)', () => {
  it('keeps what was recorded, evaluates only the rest, and ends equal to an uninterrupted run', async () => {
    const store = openStore();
    const controller = new AbortController();
    const first = await runBenchmark({
      registry,
      suite: 'mnist-digits',
      methods,
      seeds: [3],
      limit: 30,
      store,
      runId: 'stopped',
      signal: controller.signal,
      onProgress: (p) => p.done === 17 && controller.abort(),
    });
    expect(first).toMatchObject({ evaluated: 17, interrupted: true, total: 60 });
    const kept = store.records('stopped');
    expect(kept).toHaveLength(17);

    const second = await runBenchmark({
      registry,
      suite: 'mnist-digits',
      store,
      resume: true,
      runId: 'stopped',
    });
    expect(second).toMatchObject({ evaluated: 43, alreadyDone: 17, interrupted: false });
    const final = store.records('stopped');
    // The first 17 records are untouched (same timestamps), and each sample has one attempt.
    expect(
      final.filter((r) => kept.some((k) => k.sampleKey === r.sampleKey && k.method === r.method)),
    ).toEqual(kept);
    expect(store.attempts('stopped')).toHaveLength(60);
    expect(store.attempts('stopped').every((a) => a.attempt === 1)).toBe(true);

    await runBenchmark({
      registry,
      suite: 'mnist-digits',
      methods,
      seeds: [3],
      limit: 30,
      store,
      runId: 'straight',
    });
    expect(final.map(outcomeOf)).toEqual(store.records('straight').map(outcomeOf));
    store.close();
  });
});

describe('resume refuses a run that changed, and writes nothing', () => {
  it('names the changed sample list (sha256) and leaves the store as it was', async () => {
    const dir = tempDir();
    const list = join(dir, 'list.json');
    copyFileSync(DEFAULT_LIST, list);
    const store = openStore();
    await runBenchmark({
      registry,
      suite: 'mnist-digits',
      suiteConfig: { list },
      methods,
      seeds: [0],
      limit: 6,
      store,
      runId: 'pinned',
    });
    const before = {
      run: store.getRun('pinned'),
      records: store.records('pinned'),
      attempts: store.attempts('pinned'),
    };

    // Swap the first two images of the list: same length and keys format, different samples.
    const text = readFileSync(list, 'utf8');
    writeFileSync(list, text.replace('"index":1623', '"index":9999'));
    await expect(
      runBenchmark({ registry, suite: 'mnist-digits', store, resume: true, runId: 'pinned', limit: 9 }),
    ).rejects.toThrow(ResumeMismatchError);
    await expect(runBenchmark({ registry, suite: 'mnist-digits', store, resume: true })).rejects.toThrow(
      /cannot resume run "pinned": the sample list changed: .*list\.json had sha256 [0-9a-f]{12}…, .*list\.json now has [0-9a-f]{12}…\. Nothing was written/,
    );
    expect({
      run: store.getRun('pinned'),
      records: store.records('pinned'),
      attempts: store.attempts('pinned'),
    }).toEqual(before);
    store.close();
  });

  it('lists every other difference: methods, seeds, limit, suite config', async () => {
    const store = openStore();
    await runBenchmark({ registry, suite: 'mnist-digits', methods, seeds: [0], limit: 3, store, runId: 'r' });
    const attempt = runBenchmark({
      registry,
      suite: 'mnist-digits',
      methods: [{ name: 'knn', config: { trainSize: 401 } }],
      seeds: [0, 1],
      limit: 4,
      store,
      resume: true,
    });
    await expect(attempt).rejects.toThrow(/the limit differs \(run: 3, now: 4\)/);
    await expect(
      runBenchmark({ registry, suite: 'mnist-digits', methods: [{ name: 'knn' }], store, resume: true }),
    ).rejects.toThrow(
      /the methods differ \(run: knn@[0-9a-f]{12}, nearest-centroid@[0-9a-f]{12}; now: knn@[0-9a-f]{12}\)/,
    );
    await expect(
      runBenchmark({ registry, suite: 'mnist-digits', seeds: [1], store, resume: true }),
    ).rejects.toThrow(/the seeds differ \(run: 0; now: 1\)/);
    await expect(runBenchmark({ registry, suite: 'knn', store, resume: true, runId: 'r' })).rejects.toThrow(
      'cannot resume run "r": it is a run of suite "mnist-digits", not "knn". Nothing was written.',
    );
    expect(store.countRecords('r')).toBe(6);
    await expect(
      runBenchmark({ registry, suite: 'mnist-digits', store, resume: true, runId: 'nope' }),
    ).rejects.toThrow(/cannot resume run "nope": .* has no such run \(runs: r\)/);
    store.close();
  });

  it('refuses to start a run whose id exists, and to resume when there is nothing to resume', async () => {
    const store = openStore();
    await expect(runBenchmark({ registry, suite: 'mnist-digits', store, resume: true })).rejects.toThrow(
      /has no run of suite "mnist-digits"; start one without --resume/,
    );
    await runBenchmark({ registry, suite: 'mnist-digits', methods, limit: 1, store, runId: 'once' });
    await expect(
      runBenchmark({ registry, suite: 'mnist-digits', methods, limit: 1, store, runId: 'once' }),
    ).rejects.toThrow(RunExistsError);
    store.close();
  });
});

describe('--extend: a resumed run with a larger limit takes the next samples, keeping its records', () => {
  it('adds only the new samples and ends with the records of a straight run of the larger limit', async () => {
    const store = openStore();
    const straight = (limit: number, runId: string) =>
      runBenchmark({ registry, suite: 'mnist-digits', methods, seeds: [0, 1], limit, store, runId });
    await straight(4, 'grow');
    const kept = store.records('grow');
    // Without --extend a larger limit is a mismatch, and the error says how to extend.
    await expect(
      runBenchmark({ registry, suite: 'mnist-digits', store, resume: true, runId: 'grow', limit: 7 }),
    ).rejects.toThrow(
      /the limit differs \(run: 4, now: 7\) \(pass --extend to add the samples past the run's limit to it\)/,
    );
    // A smaller limit cannot be an extension.
    await expect(
      runBenchmark({
        registry,
        suite: 'mnist-digits',
        store,
        resume: true,
        runId: 'grow',
        limit: 2,
        extend: true,
      }),
    ).rejects.toThrow(
      /^cannot resume run "grow": the limit differs \(run: 4, now: 2\)\. Nothing was written/,
    );
    await expect(
      runBenchmark({
        registry,
        suite: 'mnist-digits',
        methods,
        store,
        runId: 'other',
        limit: 7,
        extend: true,
      }),
    ).rejects.toThrow(/--extend adds samples to an existing run: it needs --resume/);
    expect(store.getRun('grow')).toMatchObject({ sampleLimit: 4, sampleCount: 4 });

    const grown = await runBenchmark({
      registry,
      suite: 'mnist-digits',
      store,
      resume: true,
      runId: 'grow',
      limit: 7,
      extend: true,
    });
    expect(grown).toMatchObject({ total: 28, alreadyDone: 16, evaluated: 12, interrupted: false });
    expect(store.getRun('grow')).toMatchObject({ sampleLimit: 7, sampleCount: 7 });
    const after = store.records('grow');
    expect(
      after.filter((r) =>
        kept.some((k) => k.sampleKey === r.sampleKey && k.method === r.method && k.seed === r.seed),
      ),
    ).toEqual(kept);
    // The grown run resumes as a run of 7 (nothing left), and equals a run made at 7 from the start.
    const again = await runBenchmark({ registry, suite: 'mnist-digits', store, resume: true, runId: 'grow' });
    expect(again).toMatchObject({ total: 28, alreadyDone: 28, evaluated: 0 });
    await straight(7, 'seven');
    expect(after.map(outcomeOf)).toEqual(store.records('seven').map(outcomeOf));
    expect(store.getRun('grow')!.sampleKeysSha256).toBe(store.getRun('seven')!.sampleKeysSha256);
    store.close();
  });
});

describe('errors name what is wrong and what would be right', () => {
  const store = openStore();
  afterAll(() => store.close());
  const base = { registry, suite: 'mnist-digits', methods, store };

  it('unknown suite: the closest name and the known suites; a method is not a suite', async () => {
    const error = await runBenchmark({ ...base, suite: 'mnist-digit' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownSuiteError);
    expect((error as Error).message).toBe(
      'unknown suite "mnist-digit". Did you mean "mnist-digits"? Known suites: mnist-digits.',
    );
    await expect(runBenchmark({ ...base, suite: 'knn' })).rejects.toThrow(
      '"knn" is a method plugin, not a benchmark suite. Known suites: mnist-digits.',
    );
  });

  it("unknown method or bad config: the registry's own errors", async () => {
    const error = await runBenchmark({ ...base, methods: [{ name: 'knnn' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownPluginError);
    expect((error as Error).message).toMatch(/unknown plugin "knnn". Did you mean "knn"\?/);
    await expect(runBenchmark({ ...base, methods: [{ name: 'knn', config: { k: 0 } }] })).rejects.toThrow(
      InvalidConfigError,
    );
    await expect(runBenchmark({ ...base, methods: [{ name: 'mnist-digits' }] })).rejects.toThrow(
      /"mnist-digits" is a suite plugin; --methods takes method plugins \(failing-centroid, knn, nearest-centroid, poisoned-centroid, slow-centroid\)/,
    );
    await expect(runBenchmark({ ...base, methods: [] })).rejects.toThrow(/at least one method plugin/);
    await expect(
      runBenchmark({ ...base, methods: [{ name: 'knn' }, { name: 'knn', config: { k: 3 } }] }),
    ).rejects.toThrow(/"knn" is listed twice with the same config/);
  });

  it('bad limit, workers, seeds and run id', async () => {
    await expect(runBenchmark({ ...base, limit: 0 })).rejects.toThrow(
      "limit must be an integer >= 1 (samples from the list's start), got 0",
    );
    await expect(runBenchmark({ ...base, limit: 2.5 })).rejects.toThrow(InvalidBenchOptionError);
    await expect(runBenchmark({ ...base, workers: 0 })).rejects.toThrow(
      'workers must be an integer >= 1, got 0',
    );
    await expect(runBenchmark({ ...base, workers: 2 })).rejects.toThrow(/workers = 2 needs workerRegistry/);
    await expect(runBenchmark({ ...base, seeds: [] })).rejects.toThrow(/at least one seed/);
    await expect(runBenchmark({ ...base, seeds: [1, 1] })).rejects.toThrow(/must not repeat/);
    await expect(runBenchmark({ ...base, runId: 'has space' })).rejects.toThrow(
      /run id must be 1-100 letters/,
    );
    expect(store.listRuns()).toEqual([]);
  });

  it('a method that throws stops the run with the sample named; earlier records are kept', async () => {
    const error = await runBenchmark({
      ...base,
      methods: [{ name: 'failing-centroid', config: { failOnCall: 4 } }],
      runId: 'boom',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvaluationError);
    expect((error as Error).message).toBe(
      'method "failing-centroid" (seed 0) on sample "t10k-05448/clean" of suite "mnist-digits" failed: injected failure on call 4',
    );
    expect(store.records('boom').map((r) => r.sampleKey)).toEqual([
      't10k-01623/clean',
      't10k-01623/gaussian-noise',
      't10k-01623/shift',
    ]);
  });
});
