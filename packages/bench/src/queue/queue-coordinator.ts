import type { Registry } from '@attune/registry';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { InvalidBenchOptionError } from '../errors.js';
import { harnessVersion } from '../harness-version.js';
import type { PreparedSuite } from '../prepared-suite.js';
import { type MethodSpec, type RunInfo, taskKey } from '../records.js';
import type { ResultStore } from '../store.js';
import { getSuitePlugin } from '../suite-lookup.js';
import {
  DEFAULT_QUEUE_NAME,
  type JobMethod,
  jobIdFor,
  QUEUE_PREFIX,
  type QueueJobData,
  type QueueJobResult,
  type Refusal,
  type RunSetup,
  refusalsKey,
} from './queue-job.js';
import { queueConnection, redactUrl } from './redis-connection.js';

export interface QueueRunOptions {
  /** redis:// or rediss:// URL; workers started with `attune worker --queue <same URL>` take the jobs. */
  readonly url: string;
  readonly queueName?: string;
  /** Tries per sample before it is reported as failed (default 3). A killed worker's try counts as a stall. */
  readonly attempts?: number;
  /** How often the coordinator collects finished jobs (ms, default 100). */
  readonly pollMs?: number;
  /** Called once per sample that failed all its attempts. */
  readonly onFailure?: (failure: FailedSample) => void;
  /** Called when the connection to Redis drops (once per outage; it reconnects by itself). */
  readonly onConnectionLost?: (message: string) => void;
  /** Called (at most every 10 s) while no worker is connected to the queue. */
  readonly onNoWorkers?: (message: string) => void;
  /** Called once per worker that refused this run, with what differed. */
  readonly onRefusal?: (refusal: Refusal) => void;
}

/** A sample that failed on every attempt: reported, not recorded; `--resume` tries it again. */
export interface FailedSample {
  readonly method: string;
  readonly configHash: string;
  readonly seed: number;
  readonly sampleKey: string;
  readonly attempts: number;
  readonly reason: string;
}

export interface QueueTask {
  readonly method: MethodSpec;
  readonly seed: number;
  readonly sampleIndex: number;
  readonly sampleKey: string;
}

export interface QueueDriveOptions {
  readonly queue: QueueRunOptions;
  readonly registry: Registry;
  readonly run: RunInfo;
  readonly prepared: PreparedSuite;
  readonly store: ResultStore;
  readonly pending: readonly QueueTask[];
  readonly onRecorded?: (evaluated: number) => void;
  readonly signal?: AbortSignal;
}

export interface QueueDriveResult {
  readonly evaluated: number;
  readonly failed: readonly FailedSample[];
}

const PAGE = 1000;
/** How often a running coordinator re-adds jobs Redis may have lost (a restart without persistence). */
const REENQUEUE_MS = 10_000;

/**
 * The coordinator's side of a queued run: enqueue one job per pending (list, index, method, seed) under an
 * idempotent id, then collect finished jobs from Redis into the SQLite store (the only writer) and delete
 * each job from Redis once its record is committed. Killed between the two, a restarted coordinator finds
 * the job still there, sees the record, and deletes it: nothing lost, nothing counted twice.
 */
export async function driveQueue(options: QueueDriveOptions): Promise<QueueDriveResult> {
  const { run, prepared, store, pending, signal } = options;
  const attempts = options.queue.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new InvalidBenchOptionError(`--attempts must be an integer >= 1, got ${attempts}`);
  }
  const pollMs = options.queue.pollMs ?? 100;
  const queueName = options.queue.queueName ?? DEFAULT_QUEUE_NAME;
  const connection = queueConnection(options.queue.url);
  const redis = new Redis(connection.url, { ...connection, lazyConnect: true });
  redis.on('error', () => undefined); // a failed first connect is reported by the catch below
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `cannot reach Redis at ${redactUrl(options.queue.url)} (${(error as Error).message}): is redis-server running there, and the password right?`,
    );
  }
  const queue = new Queue<QueueJobData, QueueJobResult>(queueName, { connection, prefix: QUEUE_PREFIX });
  // Redis went away (restart, network): commands wait and resume on reconnection; say so once per outage.
  let connected = true;
  const lost = (error: Error) => {
    if (connected)
      options.queue.onConnectionLost?.(
        `lost Redis at ${redactUrl(options.queue.url)}: ${error.message}; reconnecting`,
      );
    connected = false;
  };
  redis.on('error', lost);
  redis.on('ready', () => {
    connected = true;
  });
  queue.on('error', lost);
  const setup = runSetup(options.registry, run, prepared);
  const methods = new Map<string, JobMethod>(
    run.methods.map((m) => [m.configHash + m.name, { ...m, version: options.registry.get(m.name).version }]),
  );
  const wanted = new Set(
    pending.map((t) => taskKey(t.method.name, t.method.configHash, t.seed, t.sampleKey)),
  );
  const recorded = new Set<string>();
  const failed = new Map<string, FailedSample>();
  let refusalsSeen = 0;
  let evaluated = 0;

  const keyOf = (data: QueueJobData) =>
    taskKey(data.method.name, data.method.configHash, data.seed, data.sampleKey);
  const ours = (
    job: Job<QueueJobData, QueueJobResult> | undefined,
  ): job is Job<QueueJobData, QueueJobResult> => job !== undefined && job.data?.setup?.runId === run.runId;

  /** Commits every finished job of this run that Redis holds; returns how many it took. */
  const collectCompleted = async (): Promise<number> => {
    let taken = 0;
    const done = (await queue.getJobs(['completed'], 0, PAGE - 1, true)).filter(ours);
    for (const job of done) {
      const key = keyOf(job.data);
      if (wanted.has(key) && !recorded.has(key)) {
        const result = job.returnvalue;
        store.commitRecord({
          ...result.output,
          runId: run.runId,
          suite: run.suite,
          method: job.data.method.name,
          configHash: job.data.method.configHash,
          seed: job.data.seed,
          sampleKey: job.data.sampleKey,
          sampleIndex: job.data.sampleIndex,
          sampleList: prepared.sampleList,
          sampleListSha256: prepared.sampleListSha256,
          worker: result.worker,
          attempt: result.attempt,
        });
        recorded.add(key);
        evaluated += 1;
        taken += 1;
      }
      // Committed now or by an earlier coordinator (it died before deleting): the store has it.
      await job.remove();
    }
    if (taken > 0) options.onRecorded?.(evaluated);
    return taken;
  };

  /** Reports (once) the samples of this run that failed every attempt, and workers that refused it. */
  const collectFailures = async (): Promise<void> => {
    for (const job of (await queue.getJobs(['failed'], 0, PAGE - 1, true)).filter(ours)) {
      const key = keyOf(job.data);
      if (!wanted.has(key) || failed.has(key)) continue;
      const failure: FailedSample = {
        method: job.data.method.name,
        configHash: job.data.method.configHash,
        seed: job.data.seed,
        sampleKey: job.data.sampleKey,
        attempts: job.attemptsMade,
        reason: job.failedReason,
      };
      failed.set(key, failure);
      options.queue.onFailure?.(failure);
    }
    const refusals = await redis.lrange(refusalsKey(QUEUE_PREFIX, queueName), refusalsSeen, -1);
    refusalsSeen += refusals.length;
    for (const line of refusals) {
      const refusal = JSON.parse(line) as Refusal;
      if (refusal.runId === run.runId) options.queue.onRefusal?.(refusal);
    }
  };

  /** Adds a job for every wanted sample not recorded or failed yet; BullMQ ignores ids it already has. */
  const enqueueMissing = async (): Promise<void> => {
    const toAdd = pending.filter((t) => {
      const key = taskKey(t.method.name, t.method.configHash, t.seed, t.sampleKey);
      return !recorded.has(key) && !failed.has(key);
    });
    for (let start = 0; start < toAdd.length; start += PAGE) {
      await queue.addBulk(
        toAdd.slice(start, start + PAGE).map((task) => {
          const method = methods.get(task.method.configHash + task.method.name)!;
          const data: QueueJobData = {
            setup,
            method,
            seed: task.seed,
            sampleIndex: task.sampleIndex,
            sampleKey: task.sampleKey,
          };
          return {
            name: `${method.name}#${task.seed}`,
            data,
            opts: {
              // Idempotent: a job with this id already in Redis (any state) is left as it is.
              jobId: jobIdFor(setup, method, task.seed, task.sampleIndex, task.sampleKey),
              attempts,
              removeOnComplete: false,
              removeOnFail: false,
            },
          };
        }),
      );
    }
  };

  try {
    refusalsSeen = await redis.llen(refusalsKey(QUEUE_PREFIX, queueName));
    // Results that reached Redis before a previous coordinator could store them.
    while ((await collectCompleted()) > 0);
    // A resumed run tries its failed samples again, with a fresh count of attempts.
    for (const job of (await queue.getJobs(['failed'], 0, -1)).filter(ours)) {
      if (wanted.has(keyOf(job.data))) {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      }
    }
    await enqueueMissing();
    let lastEnqueue = Date.now();
    while (recorded.size + failed.size < wanted.size && signal?.aborted !== true) {
      const taken = await collectCompleted();
      await collectFailures();
      if (Date.now() - lastEnqueue > REENQUEUE_MS) {
        // A Redis restarted without persistence has lost the queue: put back what is neither recorded
        // nor failed. Jobs still in Redis are left as they are (idempotent ids).
        await enqueueMissing();
        lastEnqueue = Date.now();
        // CLIENT LIST may be disabled on a managed Redis: then this hint is skipped.
        if ((await queue.getWorkersCount().catch(() => -1)) === 0) {
          options.queue.onNoWorkers?.(
            `no worker is connected to queue "${queueName}"; start one with attune worker --queue ${redactUrl(options.queue.url)}`,
          );
        }
      }
      if (taken === 0) await sleep(pollMs, signal);
    }
    return { evaluated, failed: [...failed.values()] };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

function runSetup(registry: Registry, run: RunInfo, prepared: PreparedSuite): RunSetup {
  return {
    runId: run.runId,
    suite: run.suite,
    suiteVersion: getSuitePlugin(registry, run.suite).version,
    suiteConfig: prepared.config,
    suiteConfigHash: prepared.configHash,
    limit: run.sampleLimit,
    sampleListSha256: prepared.sampleListSha256,
    sampleKeysSha256: prepared.sampleKeysSha256,
    harnessVersion: harnessVersion(),
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
