import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluationError, ResultStore, runBenchmark, WorkerError } from '../src/index.js';
import { readLog } from './fixtures/fixture-log.js';
import { createRegistry } from './fixtures/registry.js';
import {
  alive,
  childPids,
  fixtureRegistryModule,
  fixtureRegistrySource,
  outcomeOf,
  removeTempDirs,
  tempDir,
  tsxExecArgv,
  waitFor,
} from './helpers.js';

const registry = createRegistry();
const methods = [{ name: 'nearest-centroid' }, { name: 'knn', config: { trainSize: 300 } }];
const common = { registry, suite: 'mnist-digits', methods, seeds: [0, 1], limit: 36 };
const workerOptions = { workerRegistry: fixtureRegistrySource, workerExecArgv: tsxExecArgv };
const logEnv = 'BENCH_FIXTURE_LOG';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  delete process.env[logEnv];
  removeTempDirs();
});

describe('--workers n: samples sharded over worker processes', () => {
  it('gives the same records as evaluating in one process; each worker creates each (method, seed) once', async () => {
    const inline = ResultStore.open(join(dir, 'inline.sqlite'), { durability: 'normal' });
    const one = await runBenchmark({ ...common, store: inline });

    const log = join(dir, 'workers.log');
    process.env[logEnv] = log;
    const sharded = ResultStore.open(join(dir, 'workers.sqlite'), { durability: 'normal' });
    const stages: string[] = [];
    const three = await runBenchmark({
      ...common,
      ...workerOptions,
      workers: 3,
      store: sharded,
      onProgress: (p) => stages.push(`${p.stage}:${p.done}/${p.total}`),
    });
    delete process.env[logEnv];
    expect(three).toMatchObject({ workersStarted: 3, evaluated: 144, total: 144 });
    expect(stages.slice(0, 4)).toEqual(['workers:0/3', 'workers:1/3', 'workers:2/3', 'workers:3/3']);

    const a = inline.records(one.run.runId);
    const b = sharded.records(three.run.runId);
    expect(b.map(outcomeOf)).toEqual(a.map(outcomeOf));
    expect(b).toHaveLength(144);

    // The work really was spread over separate processes, none of them the harness.
    const pids = new Set(b.map((r) => r.pid));
    expect(pids.size).toBeGreaterThanOrEqual(2);
    expect(pids.has(process.pid)).toBe(false);
    expect(new Set(b.map((r) => r.worker)).size).toBe(pids.size);
    expect(b.every((r) => r.worker >= 1 && r.worker <= 3)).toBe(true);

    // Instance reuse: at most one creation per (worker pid, method, seed), and every eval came from a worker.
    const lines = readLog(log);
    const creates = lines.filter((l) => l.kind === 'create').map((l) => `${l.pid}|${l.method}|${l.seed}`);
    expect(new Set(creates).size).toBe(creates.length);
    expect(lines.filter((l) => l.kind === 'eval')).toHaveLength(144);
    for (const pid of pids) await waitFor(() => !alive(pid), 10_000, `worker ${pid} to exit`);
    inline.close();
    sharded.close();
  });

  it('a method failing in a worker stops the run with the sample named; workers exit; records stay', async () => {
    const store = ResultStore.open(join(dir, 'fail.sqlite'), { durability: 'normal' });
    const error = await runBenchmark({
      ...common,
      ...workerOptions,
      methods: [{ name: 'failing-centroid', config: { failOnCall: 6 } }],
      workers: 2,
      store,
      runId: 'fails',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvaluationError);
    expect((error as Error).message).toMatch(
      /^method "failing-centroid" \(seed 0\) on sample "[^"]+" of suite "mnist-digits" failed: injected failure on call 6$/,
    );
    const records = store.records('fails');
    expect(records.length).toBeGreaterThanOrEqual(5);
    const workerPids = new Set(store.attempts('fails').map((a) => a.pid));
    for (const pid of workerPids) await waitFor(() => !alive(pid), 10_000, `worker ${pid} to exit`);
    store.close();
  });

  it('a worker that cannot rebuild the registry fails the start with the reason, and no worker is left', async () => {
    const store = ResultStore.open(join(dir, 'start.sqlite'), { durability: 'normal' });
    const childrenBefore = childPids();
    const error = await runBenchmark({
      ...common,
      workerRegistry: { module: fixtureRegistryModule, export: 'makeRegistry' },
      workerExecArgv: tsxExecArgv,
      workers: 2,
      store,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toMatch(
      /worker \d failed to start: registry module .*registry\.ts has no export "makeRegistry" \(exports: createRegistry\)/,
    );
    await waitFor(() => childPids().length <= childrenBefore.length, 10_000, 'the failed workers to exit');
    expect(store.listRuns().map((r) => r.runId)).toHaveLength(1);
    store.close();
  });
});
