import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FailedSample, QUEUE_PREFIX, ResultStore, runBenchmark } from '../../src/index.js';
import { LOG_ENV, readLog } from '../fixtures/fixture-log.js';
import { createRegistry } from '../fixtures/registry.js';
import { removeTempDirs, tempDir, waitFor } from '../helpers.js';
import { type CliProcess, killAll, startCli, startWorker, stopProcess } from './processes.js';
import { type RedisServer, redisForTests, startRedisServer } from './redis-server.js';

const redis = redisForTests();
const registry = createRegistry();
// Short, so a killed worker's job comes back within seconds; long enough that a worker starved of CPU on
// this shared 2-core machine still renews its lock in time (a missed renewal only means a redundant retry).
const LOCK_MS = 3000;

let server: RedisServer;
let queue: Queue;
let dir: string;
let log: string;
const queueName = `faults-${process.pid}`;
let workers: (CliProcess & { worker: number })[] = [];

/** What a slow-centroid run must record: nearest-centroid's predictions (the same classifier, delayed). */
async function referencePredictions(limit: number): Promise<Map<string, string>> {
  const store = ResultStore.open(join(dir, `reference-${limit}.sqlite`), { durability: 'normal' });
  const { run } = await runBenchmark({
    registry,
    suite: 'mnist-digits',
    methods: [{ name: 'nearest-centroid' }],
    limit,
    store,
  });
  const byKey = new Map(store.records(run.runId).map((r) => [r.sampleKey, String(r.prediction)]));
  store.close();
  return byKey;
}

const evalsOf = (method: string) =>
  readLog(log)
    .filter((l) => l.kind === 'eval' && l.method === method)
    .map((l) => ({ key: l.key, pid: l.pid }));

function countRecords(db: string): number {
  if (!existsSync(db)) return 0;
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (conn.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
    } finally {
      conn.close();
    }
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  if (!redis.available) return;
  dir = tempDir();
  log = join(dir, 'fixture.log');
  server = await startRedisServer({ aof: true });
  queue = new Queue(queueName, {
    connection: { url: server.url, maxRetriesPerRequest: null },
    prefix: QUEUE_PREFIX,
  });
  queue.on('error', () => undefined); // the Redis restart test kills the server under it
  workers = await Promise.all(
    [0, 1].map(() => startWorker(server.url, queueName, { lockMs: LOCK_MS, env: { [LOG_ENV]: log } })),
  );
});
afterAll(async () => {
  await killAll();
  await queue?.close();
  await server?.dispose();
  removeTempDirs();
});

describe.skipIf(!redis.available)(
  `queue faults with real redis-server and worker processes ${redis.reason}`,
  () => {
    it('a sample that always throws fails after N attempts, is reported, and the run finishes', async () => {
      const store = ResultStore.open(join(dir, 'poison.sqlite'), { durability: 'normal' });
      const reported: FailedSample[] = [];
      const result = await runBenchmark({
        registry,
        suite: 'mnist-digits',
        methods: [{ name: 'poisoned-centroid', config: { poisonImage: 1623 } }],
        limit: 6,
        store,
        queue: { url: server.url, queueName, attempts: 2, onFailure: (f) => reported.push(f) },
      });
      expect(result).toMatchObject({ total: 6, evaluated: 5, interrupted: false });
      expect(result.failed).toHaveLength(1);
      expect(result.failed[0]).toMatchObject({ sampleKey: 't10k-01623/clean', attempts: 2, seed: 0 });
      expect(result.failed[0]!.reason).toContain('poisoned image t10k-1623');
      expect(reported).toEqual(result.failed);
      expect(store.records(result.run.runId).map((r) => r.sampleKey)).not.toContain('t10k-01623/clean');
      expect(store.records(result.run.runId)).toHaveLength(5);
      // Really tried by the workers: twice, or more only if a starved worker overran its lock (a stall is
      // retried without counting as a failed attempt).
      expect(
        evalsOf('poisoned-centroid').filter((e) => e.key === 't10k-01623/clean').length,
      ).toBeGreaterThanOrEqual(2);
      store.close();
    });

    it('a worker SIGKILLed mid-job: its job is retried by another worker once the lock expires; nothing lost or doubled', async () => {
      const LIMIT = 12;
      const reference = await referencePredictions(LIMIT);
      const store = ResultStore.open(join(dir, 'kill-worker.sqlite'), { durability: 'normal' });
      const [victim, survivor] = workers as [
        CliProcess & { worker: number },
        CliProcess & { worker: number },
      ];
      const running = runBenchmark({
        registry,
        suite: 'mnist-digits',
        methods: [{ name: 'slow-centroid', config: { delayMs: 400 } }],
        limit: LIMIT,
        store,
        queue: { url: server.url, queueName },
      });
      // The victim has logged the start of a sample and is inside its 400 ms prediction: kill it there.
      await waitFor(
        () => evalsOf('slow-centroid').some((e) => e.pid === victim.pid),
        20_000,
        'the victim to start a job',
      );
      victim.child.kill('SIGKILL');
      const inFlight = evalsOf('slow-centroid')
        .filter((e) => e.pid === victim.pid)
        .at(-1)!.key;
      expect((await victim.exited).signal).toBe('SIGKILL');
      const result = await running;
      expect(result).toMatchObject({ total: LIMIT, evaluated: LIMIT, failed: [] });

      const records = store.records(result.run.runId);
      expect(records).toHaveLength(LIMIT);
      expect(new Set(records.map((r) => r.sampleKey)).size).toBe(LIMIT);
      expect(new Map(records.map((r) => [r.sampleKey, String(r.prediction)]))).toEqual(reference);
      const redone = records.find((r) => r.sampleKey === inFlight)!;
      expect(redone.pid).toBe(survivor.pid);
      expect(redone.attempt).toBeGreaterThanOrEqual(2);
      // Started by the victim, finished by the survivor; every sample evaluated at least once.
      const evals = evalsOf('slow-centroid');
      const tries = evals.filter((e) => e.key === inFlight).map((e) => e.pid);
      expect(tries[0]).toBe(victim.pid);
      expect(tries.at(-1)).toBe(survivor.pid);
      expect(new Set(evals.map((e) => e.key)).size).toBe(LIMIT);
      store.close();
      workers = [
        survivor,
        await startWorker(server.url, queueName, { lockMs: LOCK_MS, env: { [LOG_ENV]: log } }),
      ];
    });

    it('the coordinator SIGKILLed: restarted with --resume it collects the results that reached Redis but not the store', async () => {
      const LIMIT = 30;
      const out = join(dir, 'coordinator');
      const db = join(out, 'results.sqlite');
      const args = [
        'bench',
        'mnist-digits',
        '--methods',
        'slow-centroid',
        '--config',
        'slow-centroid={"delayMs":60}',
      ];
      const where = [
        '--limit',
        String(LIMIT),
        '--queue',
        server.url,
        '--queue-name',
        queueName,
        '--out',
        out,
      ];
      const evalsBefore = evalsOf('slow-centroid').length;
      const first = startCli([...args, ...where, '--run-id', 'coordinator-killed']);
      await waitFor(() => countRecords(db) >= 5, 30_000, '5 records');
      first.child.kill('SIGKILL');
      await first.exited;
      const stored = countRecords(db);
      expect(stored).toBeLessThan(LIMIT);
      // The workers go on without it: every job finishes in Redis, where its result waits.
      await waitFor(
        () => evalsOf('slow-centroid').length >= evalsBefore + LIMIT,
        20_000,
        'the workers to finish',
      );
      let completed = 0;
      for (let i = 0; i < 100 && completed < LIMIT - stored; i++) {
        completed = (await queue.getJobCounts('completed')).completed ?? 0;
        await new Promise((r) => setTimeout(r, 50));
      }
      // One more when the coordinator died between committing a record and deleting its job.
      expect(completed).toBeGreaterThanOrEqual(LIMIT - stored);
      expect(completed).toBeLessThanOrEqual(LIMIT - stored + 1);

      const evaluatedBeforeResume = evalsOf('slow-centroid').length;
      const second = startCli([
        'bench',
        'mnist-digits',
        '--resume',
        '--run-id',
        'coordinator-killed',
        ...where,
      ]);
      const { code, stderr } = await second.exited;
      expect(stderr).toContain(
        `${LIMIT - stored} evaluated, ${stored} already done, ${LIMIT}/${LIMIT} recorded`,
      );
      expect(code).toBe(0);
      const store = ResultStore.open(db);
      const records = store.records('coordinator-killed');
      expect(new Set(records.map((r) => r.sampleKey)).size).toBe(LIMIT);
      store.close();
      // Collected, not recomputed: the resumed coordinator's run evaluated nothing; every record comes from
      // an evaluation made while it was dead.
      expect(evalsOf('slow-centroid')).toHaveLength(evaluatedBeforeResume);
      const evaluatedMeanwhile = new Set(
        evalsOf('slow-centroid')
          .slice(evalsBefore)
          .map((e) => e.key),
      );
      expect(records.every((r) => evaluatedMeanwhile.has(r.sampleKey))).toBe(true);
      expect((await queue.getJobCounts('completed')).completed).toBe(0);
    });

    it('Redis killed and restarted with AOF persistence: the run goes on and ends complete', async () => {
      const LIMIT = 30;
      const reference = await referencePredictions(LIMIT);
      const store = ResultStore.open(join(dir, 'redis-restart.sqlite'), { durability: 'normal' });
      const running = runBenchmark({
        registry,
        suite: 'mnist-digits',
        methods: [{ name: 'slow-centroid', config: { delayMs: 80 } }],
        limit: LIMIT,
        runId: 'redis-restart',
        store,
        queue: { url: server.url, queueName },
      });
      await waitFor(() => store.countRecords('redis-restart') >= 5, 30_000, '5 records');
      await server.stop('SIGKILL');
      const beforeRestart = store.countRecords('redis-restart');
      await new Promise((r) => setTimeout(r, 500));
      await server.start();
      const result = await running;
      expect(beforeRestart).toBeLessThan(LIMIT - 5); // most of the run happened after the restart
      expect(result).toMatchObject({ total: LIMIT, evaluated: LIMIT, failed: [] });
      const records = store.records('redis-restart');
      expect(records).toHaveLength(LIMIT);
      expect(new Map(records.map((r) => [r.sampleKey, String(r.prediction)]))).toEqual(reference);
      store.close();
      for (const w of workers) expect(w.child.exitCode).toBeNull();
      await Promise.all(workers.map(stopProcess));
      for (const w of workers) expect((await w.exited).code).toBe(0);
    });
  },
);
