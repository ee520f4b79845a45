import { createHash } from 'node:crypto';
import type { MethodSpec } from '../records.js';
import type { EvaluationOutput } from '../sample-evaluator.js';

/** BullMQ's key prefix (its default); coordinator and workers must agree. */
export const QUEUE_PREFIX = 'bull';

/** The BullMQ queue a coordinator and its workers share unless --queue-name says otherwise. */
export const DEFAULT_QUEUE_NAME = 'attune-bench';

/**
 * What a worker must reproduce exactly to serve a run: the suite (plugin version, parsed config, the
 * sample list's bytes and keys) and the harness version. Sent with every job so that any worker, started
 * at any time on any machine, can prove it matches before it evaluates anything.
 */
export interface RunSetup {
  readonly runId: string;
  readonly suite: string;
  readonly suiteVersion: string;
  readonly suiteConfig: Readonly<Record<string, unknown>>;
  readonly suiteConfigHash: string;
  readonly limit: number | null;
  readonly sampleListSha256: string;
  readonly sampleKeysSha256: string;
  readonly harnessVersion: string;
}

/** A method as a job names it: the run's spec plus the plugin version that parsed its config. */
export interface JobMethod extends MethodSpec {
  readonly version: string;
}

/** One job = one (list, index, method, seed). */
export interface QueueJobData {
  readonly setup: RunSetup;
  readonly method: JobMethod;
  readonly seed: number;
  readonly sampleIndex: number;
  readonly sampleKey: string;
}

/** What a worker returns (stored by BullMQ with the completed job until the coordinator commits it). */
export interface QueueJobResult {
  readonly output: EvaluationOutput;
  /** The worker's number on this queue (unique per queue: from a Redis counter). */
  readonly worker: number;
  readonly host: string;
  /** 1 + earlier failures + earlier stalls (a killed worker); refusals do not count. */
  readonly attempt: number;
}

/**
 * The job id: the same (run, list, index, sample, method, config, seed) always gives the same id, so
 * enqueueing twice (a restarted coordinator, --resume) adds nothing: BullMQ keeps the existing job.
 * BullMQ ids may not contain ':' nor be integers; run ids contain neither.
 */
export function jobIdFor(
  setup: RunSetup,
  method: MethodSpec,
  seed: number,
  sampleIndex: number,
  sampleKey: string,
): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        setup.runId,
        setup.sampleListSha256,
        sampleIndex,
        sampleKey,
        method.name,
        method.configHash,
        seed,
      ]),
    )
    .digest('hex')
    .slice(0, 32);
  return `${setup.runId}.${digest}`;
}

/** Redis list where workers note the jobs they refused (the coordinator prints them). */
export function refusalsKey(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:attune:refusals`;
}

/** Redis counter that numbers the workers of a queue. */
export function workerCounterKey(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:attune:workers`;
}

export interface Refusal {
  readonly runId: string;
  readonly worker: number;
  readonly host: string;
  readonly pid: number;
  readonly problems: readonly string[];
}
