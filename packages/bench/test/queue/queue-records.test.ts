import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_PREFIX, type Refusal, ResultStore, runBenchmark } from '../../src/index.js';
import { KNN_VERSION_ENV } from '../fixtures/pixel-methods.js';
import { createRegistry } from '../fixtures/registry.js';
import {
  fixtureRegistrySource,
  outcomeOf,
  removeTempDirs,
  tempDir,
  tsxExecArgv,
  waitFor,
} from '../helpers.js';
import { type CliProcess, killAll, startWorker, stopProcess } from './processes.js';
import { type RedisServer, redisForTests, startRedisServer, TEST_REDIS_URL_ENV } from './redis-server.js';

const redis = redisForTests();
const registry = createRegistry();
const methods = [{ name: 'nearest-centroid' }, { name: 'knn', config: { trainSize: 300 } }];
const common = { registry, suite: 'mnist-digits', methods, seeds: [0, 1], limit: 24 };
const TOTAL = 2 * 2 * 24;

let server: RedisServer | undefined;
let url: string;
let dir: string;
beforeAll(async () => {
  if (!redis.available) return;
  dir = tempDir();
  const shared = process.env[TEST_REDIS_URL_ENV];
  if (shared) url = shared;
  else {
    server = await startRedisServer();
    url = server.url;
  }
});
afterAll(async () => {
  await killAll();
  await server?.dispose();
  removeTempDirs();
});

const uniqueQueue = (what: string) => `test-${what}-${process.pid}-${Date.now()}`;

describe.skipIf(!redis.available)(`--queue: BullMQ workers over real Redis ${redis.reason}`, () => {
  it('records from 1 local process, 2 local workers and 2 queue workers are identical', async () => {
    const local = ResultStore.open(join(dir, 'local.sqlite'), { durability: 'normal' });
    const one = await runBenchmark({ ...common, store: local });

    const sharded = ResultStore.open(join(dir, 'workers.sqlite'), { durability: 'normal' });
    const two = await runBenchmark({
      ...common,
      workers: 2,
      workerRegistry: fixtureRegistrySource,
      workerExecArgv: tsxExecArgv,
      store: sharded,
    });

    const queueName = uniqueQueue('records');
    const workers = await Promise.all([startWorker(url, queueName), startWorker(url, queueName)]);
    const queued = ResultStore.open(join(dir, 'queue.sqlite'), { durability: 'normal' });
    const progress: number[] = [];
    const viaQueue = await runBenchmark({
      ...common,
      store: queued,
      queue: { url, queueName },
      onProgress: (p) => progress.push(p.done),
    });
    expect(viaQueue).toMatchObject({
      evaluated: TOTAL,
      total: TOTAL,
      alreadyDone: 0,
      failed: [],
      interrupted: false,
    });
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(TOTAL);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const a = local.records(one.run.runId);
    const b = sharded.records(two.run.runId);
    const c = queued.records(viaQueue.run.runId);
    expect(a).toHaveLength(TOTAL);
    expect(b.map(outcomeOf)).toEqual(a.map(outcomeOf));
    expect(c.map(outcomeOf)).toEqual(a.map(outcomeOf));
    // Evaluated by the two queue worker processes (not here), numbered by the queue, each once.
    expect(new Set(c.map((r) => r.pid))).toEqual(new Set(workers.map((w) => w.pid)));
    expect(new Set(c.map((r) => r.worker))).toEqual(new Set(workers.map((w) => w.worker)));
    expect(c.every((r) => r.attempt === 1)).toBe(true);

    // Every collected job was deleted from Redis once its record was committed.
    const queue = new Queue(queueName, { connection: { url }, prefix: QUEUE_PREFIX });
    expect(await queue.getJobCounts('completed', 'failed', 'wait', 'active')).toEqual({
      completed: 0,
      failed: 0,
      wait: 0,
      active: 0,
    });
    await queue.close();
    await Promise.all(workers.map(stopProcess));
    for (const w of workers) expect((await w.exited).code).toBe(0);
    for (const s of [local, sharded, queued]) s.close();
  });

  it('a worker with another plugin version refuses the run, puts the job back and stops; a matching worker does it', async () => {
    const queueName = uniqueQueue('refuse');
    const odd = await startWorker(url, queueName, { env: { [KNN_VERSION_ENV]: '1.1.0' } });
    const refusals: Refusal[] = [];
    const store = ResultStore.open(join(dir, 'refuse.sqlite'), { durability: 'normal' });
    let good: CliProcess | undefined;
    const run = runBenchmark({
      ...common,
      methods: [{ name: 'knn', config: { trainSize: 300 } }],
      seeds: [0],
      limit: 6,
      store,
      queue: {
        url,
        queueName,
        onRefusal: (r) => {
          refusals.push(r);
        },
      },
    });
    const { code, stderr } = await odd.exited;
    expect(code).toBe(1);
    expect(stderr).toContain('method plugin "knn" is version 1.1.0 here, 1.0.0 in the run');
    good = await startWorker(url, queueName);
    const result = await run;
    expect(result).toMatchObject({ evaluated: 6, failed: [] });
    await waitFor(() => refusals.length === 1, 5_000, 'the refusal to be reported');
    expect(refusals[0]).toMatchObject({ worker: odd.worker, pid: odd.pid, runId: result.run.runId });
    const records = store.records(result.run.runId);
    // The refused job was not counted as an attempt, and the odd worker evaluated nothing.
    expect(records.every((r) => r.pid === good!.pid && r.attempt === 1)).toBe(true);
    await stopProcess(good);
    store.close();
  });
});
