import { hostname } from 'node:os';
import type { Registry } from '@attune/registry';
import { type Job, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { InvalidBenchOptionError } from '../errors.js';
import { JobEvaluator } from './job-evaluator.js';
import {
  DEFAULT_QUEUE_NAME,
  QUEUE_PREFIX,
  type QueueJobData,
  type QueueJobResult,
  type Refusal,
  refusalsKey,
  workerCounterKey,
} from './queue-job.js';
import { queueConnection, redactUrl } from './redis-connection.js';

export interface QueueWorkerOptions {
  /** redis:// or rediss:// URL of the coordinator's Redis. */
  readonly url: string;
  readonly queueName?: string;
  /** This machine's registry: jobs are evaluated with its plugins, or refused when they differ. */
  readonly registry: Registry;
  /**
   * How long a job's lock lasts without renewal (ms, default 30 000). A killed worker's job goes back to the
   * queue once its lock expires; the lock is renewed every lockMs/2 while the event loop is free, so it must
   * exceed the longest synchronous stretch of one sample.
   */
  readonly lockMs?: number;
  /** Where progress lines go (stderr in the CLI). */
  readonly log?: (line: string) => void;
}

export interface QueueWorkerExit {
  readonly processed: number;
  /** Set when the worker stopped because it cannot serve a run: what differed. */
  readonly refusal?: Refusal;
}

export interface QueueWorkerHandle {
  /** This worker's number on the queue (stored in each record's `worker` column). */
  readonly worker: number;
  /** Settles when the worker has stopped (close(), or a refusal). */
  readonly done: Promise<QueueWorkerExit>;
  /** Stops taking jobs, lets the one in flight finish, disposes the suite and method. */
  close(): Promise<void>;
}

/**
 * `attune worker --queue`: takes one job at a time from the queue and evaluates it with this machine's
 * plugins. Results go back to Redis with the completed job; the coordinator is the only writer of the
 * SQLite store. A job whose setup this worker cannot reproduce (another plugin version, config hash,
 * sample list, harness version) is put back untouched for a matching worker, noted for the coordinator,
 * and this worker stops: it would refuse every other job of that run too.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const lockMs = options.lockMs ?? 30_000;
  if (!Number.isInteger(lockMs) || lockMs < 500) {
    throw new InvalidBenchOptionError(`--lock-ms must be an integer >= 500 (milliseconds), got ${lockMs}`);
  }
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const connection = queueConnection(options.url);
  const log = options.log ?? (() => undefined);
  const host = hostname();
  const redis = new Redis(connection.url, { ...connection, lazyConnect: true });
  redis.on('error', () => undefined); // reported once by the BullMQ worker's 'error' handler below
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `cannot reach Redis at ${redactUrl(options.url)} (${(error as Error).message}): is redis-server running there, and the password right?`,
    );
  }
  const number = await redis.incr(workerCounterKey(QUEUE_PREFIX, queueName));
  const evaluator = new JobEvaluator(options.registry);
  let processed = 0;
  let refusal: Refusal | undefined;

  const processor = async (
    job: Job<QueueJobData, QueueJobResult>,
    token?: string,
  ): Promise<QueueJobResult> => {
    const problems = await evaluator.problemsWith(job.data);
    if (problems.length > 0) {
      // Back to the wait list without counting an attempt, for a worker that matches the run.
      await job.moveToWait(token);
      refusal ??= { runId: job.data.setup.runId, worker: number, host, pid: process.pid, problems };
      await redis.rpush(refusalsKey(QUEUE_PREFIX, queueName), JSON.stringify(refusal));
      log(`attune worker ${number}: refusing run ${job.data.setup.runId}: ${problems.join('; ')}\n`);
      void worker.close();
      throw new WaitingError();
    }
    const output = await evaluator.evaluate(job.data);
    processed += 1;
    return { output, worker: number, host, attempt: job.attemptsMade + job.stalledCounter + 1 };
  };

  const worker = new Worker<QueueJobData, QueueJobResult>(queueName, processor, {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: 1,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // A sample whose worker keeps dying (e.g. killed for memory) fails after its third start.
    maxStalledCount: 2,
    name: `${host}:${process.pid}#${number}`,
    drainDelay: 1,
  });
  // Redis went away: BullMQ reconnects by itself; say so once per outage.
  let connected = true;
  worker.on('error', (error) => {
    if (connected) log(`attune worker ${number}: lost Redis (${error.message}); reconnecting\n`);
    connected = false;
  });
  worker.on('ready', () => {
    connected = true;
  });
  worker.on('failed', (job, error) => {
    if (job && !(error instanceof WaitingError)) {
      log(`attune worker ${number}: job ${job.id} failed (attempt ${job.attemptsMade}): ${error.message}\n`);
    }
  });
  const closed = new Promise<void>((resolve) => worker.once('closed', () => resolve()));
  log(
    `attune worker ${number} (${host}, pid ${process.pid}) on queue "${queueName}" at ${redactUrl(options.url)}\n`,
  );

  const done = closed.then(async () => {
    await evaluator.close();
    redis.disconnect();
    return { processed, ...(refusal ? { refusal } : {}) };
  });
  return {
    worker: number,
    done,
    close: async () => {
      await worker.close();
      await done;
    },
  };
}
