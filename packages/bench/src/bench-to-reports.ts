import { copyFileSync, existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Registry } from '@attune/registry';
import type { BenchRequest } from './bench-request.js';
import { DEFAULT_BENCH_OUT } from './bench-request.js';
import { openStoreForCommand } from './fresh-store.js';
import type { FailedSample, QueueRunOptions } from './queue/queue-coordinator.js';
import { redactUrl } from './queue/redis-connection.js';
import type { RegistrySource } from './registry-source.js';
import { type BenchmarkResult, type BenchProgress, runBenchmark } from './run-benchmark.js';
import { type BenchSummary, summarizeRun } from './summary.js';
import { type ReportFiles, writeReports } from './write-reports.js';

/** What a queue run reports as it goes (failures, lost connection, no workers, refusals). */
export type QueueEvents = Pick<
  QueueRunOptions,
  'onFailure' | 'onConnectionLost' | 'onNoWorkers' | 'onRefusal'
>;

export interface BenchToReportsOptions {
  readonly registry: Registry;
  readonly request: BenchRequest;
  /** How --workers processes rebuild the registry. */
  readonly workerRegistry: RegistrySource;
  readonly workerExecArgv?: readonly string[];
  readonly queueEvents?: QueueEvents;
  readonly onProgress?: (progress: BenchProgress) => void;
  /** Aborting stops handing out samples; those in flight finish and are recorded. */
  readonly signal?: AbortSignal;
}

export interface BenchReports {
  readonly result: BenchmarkResult;
  readonly summary: BenchSummary;
  readonly files: ReportFiles;
  /** The pinned sample list copied beside the reports. */
  readonly sampleListCopy: string;
}

const listExtension = (path: string) => /\.[A-Za-z0-9]+$/.exec(basename(path))?.[0] ?? '.txt';

/**
 * `attune bench` as a library call: runs the request into its SQLite store (resumable), summarizes the
 * run, writes summary.json, summary.md and accuracy.svg to the out directory and copies the pinned sample
 * list beside them. A store this call created and never wrote a run into is removed again.
 */
export async function runBenchToReports(options: BenchToReportsOptions): Promise<BenchReports> {
  const { request } = options;
  const opened = openStoreForCommand(request.dbPath);
  const store = opened.store;
  try {
    const result = await runBenchmark({
      registry: options.registry,
      suite: request.suite,
      ...(request.suiteConfig === undefined ? {} : { suiteConfig: request.suiteConfig }),
      ...(request.methods === undefined ? {} : { methods: request.methods }),
      ...(request.seeds === undefined ? {} : { seeds: request.seeds }),
      ...(request.limit === undefined ? {} : { limit: request.limit }),
      workers: request.workers,
      workerRegistry: options.workerRegistry,
      ...(options.workerExecArgv ? { workerExecArgv: options.workerExecArgv } : {}),
      store,
      ...(request.runId === undefined ? {} : { runId: request.runId }),
      resume: request.resume,
      ...(request.extend ? { extend: true } : {}),
      ...(request.queue ? { queue: { ...request.queue, ...options.queueEvents } } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const summary = summarizeRun(store, result.run.runId);
    const files = await writeReports(summary, request.outDir);
    // The pinned sample order (each sample's key; for image folders each file's path and sha256) goes
    // beside the results, so the report says exactly what was evaluated.
    const sampleListCopy = resolve(
      request.outDir,
      `${result.run.runId}.samples${listExtension(result.run.sampleList)}`,
    );
    if (existsSync(result.run.sampleList) && resolve(result.run.sampleList) !== sampleListCopy) {
      copyFileSync(result.run.sampleList, sampleListCopy);
    }
    return { result, summary, files, sampleListCopy };
  } finally {
    opened.close();
  }
}

/**
 * Why a finished call did not complete the run, with the command that continues it; undefined when
 * every sample is recorded.
 */
export function unfinishedRunProblem(request: BenchRequest, reports: BenchReports): string | undefined {
  const { result, summary } = reports;
  const { suite } = request;
  if (result.failed.length > 0) {
    const f = result.failed[0]!;
    return (
      `${result.failed.length} samples failed on every attempt (first: ${describeFailure(f)}); ` +
      `fix the cause and run attune bench ${suite} --resume --run-id ${result.run.runId} --queue ${redactUrl(request.queue?.url ?? '')} to retry them`
    );
  }
  if (result.interrupted) {
    return (
      `interrupted with ${summary.recorded}/${summary.expected} samples recorded; continue with ` +
      `attune bench ${suite} --resume --run-id ${result.run.runId}` +
      (request.out === DEFAULT_BENCH_OUT ? '' : ` --out ${request.out}`) +
      (request.queue === undefined ? '' : ` --queue ${redactUrl(request.queue.url)}`)
    );
  }
  return undefined;
}

/** One line naming a sample that failed every attempt on the queue. */
export function describeFailure(f: FailedSample): string {
  return `sample "${f.sampleKey}" failed for method "${f.method}" (seed ${f.seed}) after ${f.attempts} attempts: ${f.reason}`;
}
