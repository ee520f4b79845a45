import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type BenchRecord, ResultStore, type RunInfo } from '../src/index.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const run: RunInfo = {
  runId: 'r1',
  suite: 'mnist-digits',
  suiteConfig: { list: '/lists/a.json' },
  suiteConfigHash: 'c'.repeat(64),
  sampleList: '/lists/a.json',
  sampleListSha256: 'a'.repeat(64),
  sampleKeysSha256: 'b'.repeat(64),
  sampleCount: 2,
  sampleLimit: null,
  methods: [{ name: 'knn', config: { k: 3 }, configHash: 'f'.repeat(64) }],
  seeds: [0, 1],
  createdAt: '2025-01-01T00:00:00.000Z',
  harnessVersion: '0.1.0',
};

function record(overrides: Partial<BenchRecord> = {}): BenchRecord {
  return {
    runId: 'r1',
    suite: 'mnist-digits',
    method: 'knn',
    configHash: 'f'.repeat(64),
    seed: 0,
    sampleKey: 's0',
    sampleIndex: 0,
    family: 'clean',
    prediction: 7,
    label: 7,
    correct: true,
    latencyMs: 1.25,
    peakRssBytes: 123_456_789,
    peakRssScope: 'sample',
    backend: 'js-cpu',
    threads: 1,
    sampleList: '/lists/a.json',
    sampleListSha256: 'a'.repeat(64),
    nodeVersion: process.version,
    worker: 0,
    pid: process.pid,
    attempt: 1,
    extra: { entropy: 0.5, note: 'x' },
    startedAt: '2025-01-01T00:00:01.000Z',
    finishedAt: '2025-01-01T00:00:02.000Z',
    ...overrides,
  };
}

describe('ResultStore', () => {
  it('opens in WAL mode and round-trips runs and records, keeping numbers and strings apart', () => {
    const path = join(tempDir(), 'nested', 'results.sqlite');
    const store = ResultStore.open(path);
    expect(store.journalMode()).toBe('wal');
    store.createRun(run);
    store.commitRecord(record());
    store.commitRecord(
      record({
        sampleKey: 's1',
        sampleIndex: 1,
        prediction: '7',
        label: 'seven',
        correct: false,
        extra: null,
        backend: null,
        threads: null,
      }),
    );
    store.close();

    const reopened = ResultStore.open(path);
    expect(reopened.getRun('r1')).toEqual(run);
    expect(reopened.getRun('nope')).toBeUndefined();
    const rows = reopened.records('r1');
    expect(rows).toEqual([
      record(),
      record({
        sampleKey: 's1',
        sampleIndex: 1,
        prediction: '7',
        label: 'seven',
        correct: false,
        extra: null,
        backend: null,
        threads: null,
      }),
    ]);
    expect(typeof rows[0]!.prediction).toBe('number');
    expect(typeof rows[1]!.prediction).toBe('string');
    expect(reopened.finishedKeys('r1')).toEqual(
      new Set([
        JSON.stringify(['knn', 'f'.repeat(64), 0, 's0']),
        JSON.stringify(['knn', 'f'.repeat(64), 0, 's1']),
      ]),
    );
    expect(reopened.countRecords('r1')).toBe(2);
    reopened.close();
  });

  it('refuses a second record for the same (run, method, config, seed, sample) and keeps the first', () => {
    const store = ResultStore.open(join(tempDir(), 'r.sqlite'));
    store.createRun(run);
    store.commitRecord(record({ prediction: 1 }));
    expect(() => store.commitRecord(record({ prediction: 2 }))).toThrow(/UNIQUE constraint failed/);
    // Same sample under another seed or config is a different record.
    store.commitRecord(record({ seed: 1 }));
    store.commitRecord(record({ configHash: 'e'.repeat(64) }));
    expect(store.records('r1').map((r) => [r.configHash[0], r.seed, r.prediction])).toEqual([
      ['e', 0, 7],
      ['f', 0, 1],
      ['f', 1, 7],
    ]);
    store.close();
  });

  it('numbers attempts per sample and logs the next attempt in the same transaction as a record', () => {
    const store = ResultStore.open(join(tempDir(), 'r.sqlite'));
    store.createRun(run);
    const attempt = {
      runId: 'r1',
      method: 'knn',
      configHash: 'f'.repeat(64),
      seed: 0,
      sampleKey: 's0',
      worker: 1,
      pid: 42,
    };
    expect(store.beginAttempt(attempt)).toBe(1);
    expect(store.beginAttempt(attempt)).toBe(2);
    expect(store.commitRecord(record({ attempt: 2 }), { ...attempt, sampleKey: 's1' })).toBe(1);
    // A refused record rolls back the attempt logged with it.
    expect(() => store.commitRecord(record(), { ...attempt, sampleKey: 's2' })).toThrow(/UNIQUE/);
    expect(store.attempts('r1').map((a) => [a.sampleKey, a.attempt, a.worker, a.pid])).toEqual([
      ['s0', 1, 1, 42],
      ['s0', 2, 1, 42],
      ['s1', 1, 1, 42],
    ]);
    store.close();
  });

  it('lists runs in creation order, per suite', () => {
    const store = ResultStore.open(join(tempDir(), 'r.sqlite'));
    store.createRun(run);
    store.createRun({ ...run, runId: 'r2', createdAt: '2025-02-01T00:00:00.000Z' });
    store.createRun({ ...run, runId: 'other', suite: 'fashion', createdAt: '2025-03-01T00:00:00.000Z' });
    expect(store.listRuns('mnist-digits').map((r) => r.runId)).toEqual(['r1', 'r2']);
    expect(store.listRuns().map((r) => r.runId)).toEqual(['r1', 'r2', 'other']);
    expect(() => store.createRun(run)).toThrow(/UNIQUE constraint failed: runs.run_id/);
    store.close();
  });

  it('refuses a store written with another schema version', () => {
    const path = join(tempDir(), 'r.sqlite');
    ResultStore.open(path).close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expect(() => ResultStore.open(path)).toThrow(/has schema version 99; this harness reads version 1/);
  });
});
