import type { Registry } from '@attune/registry';
import { InvalidBenchOptionError, ResumeMismatchError, RunExistsError, WorkerError } from './errors.js';
import { type Executor, InlineExecutor } from './executor.js';
import { harnessVersion } from './harness-version.js';
import { assertMethodsFitSuite } from './method-suite-fit.js';
import { type PreparedSuite, prepareSuite } from './prepared-suite.js';
import type { FailedSample, QueueRunOptions } from './queue/queue-coordinator.js';
import type { MethodSpec, RunInfo } from './records.js';
import { taskKey } from './records.js';
import type { RegistrySource } from './registry-source.js';
import { type BenchmarkMethod, resolveMethods } from './resolve-methods.js';
import { checkExtendHasResume, checkResumable } from './resume-check.js';
import { checkRunId, newRunId } from './run-id.js';
import { type EvaluationTask, SampleEvaluator } from './sample-evaluator.js';
import { checkSeeds } from './seeds.js';
import type { ResultStore } from './store.js';
import { WorkerProcess } from './worker-process.js';

export interface BenchProgress {
  /** 'workers': starting worker processes (done/total = workers ready); 'evaluate': samples recorded. */
  readonly stage: 'workers' | 'evaluate';
  readonly done: number;
  readonly total: number;
}

export interface RunBenchmarkOptions {
  /** The harness's registry: the suite and every method must be in it. */
  readonly registry: Registry;
  readonly suite: string;
  /** Raw suite config (validated by the suite plugin). On --resume, omit to use the run's. */
  readonly suiteConfig?: unknown;
  /** Methods to compare. Required for a new run; on --resume, omit to use the run's. */
  readonly methods?: readonly BenchmarkMethod[];
  /** Seeds (each method instance is created with one). Default [0]; on --resume, the run's. */
  readonly seeds?: readonly number[];
  /** Only the first `limit` samples of the pinned list. */
  readonly limit?: number;
  /** Worker processes. 1 (default) evaluates in this process; n > 1 forks n workers. */
  readonly workers?: number;
  /** How workers rebuild the registry; required when workers > 1. */
  readonly workerRegistry?: RegistrySource;
  /** Node flags for worker processes (e.g. ['--import', 'tsx'] for TypeScript plugins). */
  readonly workerExecArgv?: readonly string[];
  readonly store: ResultStore;
  /** A new run's id (default: generated), or the run to resume (default: the latest run of this suite). */
  readonly runId?: string;
  /** Continue an existing run: only samples without a record are evaluated. */
  readonly resume?: boolean;
  /**
   * With resume and a larger limit (or none): the list's next samples join the run, its finished records are
   * kept. The run's samples must be the first of the new selection, key for key.
   */
  readonly extend?: boolean;
  readonly onProgress?: (progress: BenchProgress) => void;
  /**
   * Evaluate on queue workers (`attune worker --queue <url>`, any machine) instead of local processes: one
   * BullMQ job per sample; this process stays the only writer of the store. Excludes workers > 1.
   */
  readonly queue?: QueueRunOptions;
  /** Aborting stops handing out samples; those in flight finish and are recorded. Resume later. */
  readonly signal?: AbortSignal;
}

export interface BenchmarkResult {
  readonly run: RunInfo;
  /** methods × seeds × samples. */
  readonly total: number;
  /** Records that existed before this call (0 for a new run). */
  readonly alreadyDone: number;
  /** Samples evaluated and recorded by this call. */
  readonly evaluated: number;
  /** True when stopped by the abort signal before all samples were recorded. */
  readonly interrupted: boolean;
  /** Worker processes started (0 when evaluating in this process or on a queue). */
  readonly workersStarted: number;
  /** Samples that failed every attempt on the queue (never set for local runs, which stop at a failure). */
  readonly failed: readonly FailedSample[];
}

interface PendingTask extends EvaluationTask {
  readonly method: MethodSpec;
}

/**
 * Runs a suite over methods × seeds and records every sample in the store the moment it is done.
 * Resuming skips every (method, config, seed, sample) that already has a record, so nothing finished is
 * recomputed, and the store's UNIQUE key makes a duplicate impossible.
 */
export async function runBenchmark(options: RunBenchmarkOptions): Promise<BenchmarkResult> {
  const { registry, store } = options;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new InvalidBenchOptionError(`workers must be an integer >= 1, got ${workers}`);
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
    throw new InvalidBenchOptionError(
      `limit must be an integer >= 1 (samples from the list's start), got ${options.limit}`,
    );
  }
  if (workers > 1 && options.queue) {
    throw new InvalidBenchOptionError(
      `workers = ${workers} and a queue exclude each other: queue workers are started with \`attune worker\``,
    );
  }
  if (workers > 1 && !options.workerRegistry) {
    throw new InvalidBenchOptionError(
      `workers = ${workers} needs workerRegistry (how worker processes rebuild the registry, e.g. ` +
        `{ discover: [process.cwd()] }); or use workers = 1`,
    );
  }
  if (options.runId !== undefined) checkRunId(options.runId);
  checkExtendHasResume(options.extend, options.resume);

  const previous = options.resume ? findRunToResume(store, options.suite, options.runId) : undefined;
  if (!options.resume && options.runId !== undefined && store.getRun(options.runId)) {
    throw new RunExistsError(
      `run "${options.runId}" already exists in ${store.path}; pass --resume to continue it, or choose another run id`,
    );
  }
  const limit = options.limit ?? previous?.sampleLimit ?? null;
  const methods = resolveMethods(registry, options.methods ?? previous?.methods ?? []);
  assertMethodsFitSuite(registry, options.suite, methods);
  const seeds = checkSeeds(options.seeds ?? previous?.seeds ?? [0]);
  const prepared = await prepareSuite(
    registry,
    options.suite,
    options.suiteConfig ?? previous?.suiteConfig,
    limit,
  );

  let suiteHandedOver = false;
  try {
    let run: RunInfo;
    if (previous) {
      checkResumable(previous, { prepared, methods, seeds, limit, extend: options.extend === true });
      run = previous;
      if (limit !== previous.sampleLimit) {
        run = {
          ...previous,
          sampleLimit: limit,
          sampleCount: prepared.entries.length,
          sampleKeysSha256: prepared.sampleKeysSha256,
        };
        store.extendRun(run);
      }
    } else {
      run = {
        runId: options.runId ?? newRunId(options.suite),
        suite: options.suite,
        suiteConfig: prepared.config,
        suiteConfigHash: prepared.configHash,
        sampleList: prepared.sampleList,
        sampleListSha256: prepared.sampleListSha256,
        sampleKeysSha256: prepared.sampleKeysSha256,
        sampleCount: prepared.entries.length,
        sampleLimit: limit,
        methods,
        seeds,
        createdAt: new Date().toISOString(),
        harnessVersion: harnessVersion(),
      };
      store.createRun(run);
    }
    // The run's own order (methods, then seeds, then list order) so instances are reused across samples.
    const runMethods = run.methods;
    const finished = store.finishedKeys(run.runId);
    const pending: PendingTask[] = [];
    runMethods.forEach((method, methodIndex) => {
      for (const seed of run.seeds) {
        prepared.keys.forEach((sampleKey, sampleIndex) => {
          if (!finished.has(taskKey(method.name, method.configHash, seed, sampleKey))) {
            pending.push({ methodIndex, seed, sampleIndex, sampleKey, method });
          }
        });
      }
    });
    const total = runMethods.length * run.seeds.length * prepared.keys.length;
    const alreadyDone = total - pending.length;
    if (pending.length === 0) {
      options.onProgress?.({ stage: 'evaluate', done: total, total });
      return { run, total, alreadyDone, evaluated: 0, interrupted: false, workersStarted: 0, failed: [] };
    }
    if (options.queue) {
      options.onProgress?.({ stage: 'evaluate', done: alreadyDone, total });
      // Loaded only for queued runs: BullMQ and ioredis take seconds to import on a busy machine.
      const { driveQueue } = await import('./queue/queue-coordinator.js');
      const queued = await driveQueue({
        queue: options.queue,
        registry,
        run,
        prepared,
        store,
        pending,
        onRecorded: (evaluated) =>
          options.onProgress?.({ stage: 'evaluate', done: alreadyDone + evaluated, total }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return {
        run,
        total,
        alreadyDone,
        evaluated: queued.evaluated,
        interrupted:
          options.signal?.aborted === true && alreadyDone + queued.evaluated + queued.failed.length < total,
        workersStarted: 0,
        failed: queued.failed,
      };
    }

    const executors =
      workers === 1
        ? [
            new InlineExecutor(
              new SampleEvaluator(registry, options.suite, prepared.suite, prepared.entries, runMethods),
            ),
          ]
        : await startWorkers(Math.min(workers, pending.length), run, prepared, options);
    suiteHandedOver = workers === 1;
    const evaluated = await drive(executors, pending, run, prepared, options, total, alreadyDone);
    return {
      run,
      total,
      alreadyDone,
      evaluated,
      interrupted: alreadyDone + evaluated < total,
      workersStarted: workers === 1 ? 0 : executors.length,
      failed: [],
    };
  } finally {
    if (!suiteHandedOver) await prepared.suite.dispose();
  }
}

function findRunToResume(store: ResultStore, suite: string, runId: string | undefined): RunInfo {
  if (runId !== undefined) {
    const run = store.getRun(runId);
    if (!run) {
      const known = store.listRuns().map((r) => r.runId);
      throw new ResumeMismatchError(
        `cannot resume run "${runId}": ${store.path} has no such run (runs: ${known.join(', ') || 'none'})`,
      );
    }
    if (run.suite !== suite) {
      throw new ResumeMismatchError(
        `cannot resume run "${runId}": it is a run of suite "${run.suite}", not "${suite}". Nothing was written.`,
      );
    }
    return run;
  }
  const runs = store.listRuns(suite);
  const latest = runs[runs.length - 1];
  if (!latest) {
    throw new ResumeMismatchError(
      `cannot resume: ${store.path} has no run of suite "${suite}"; start one without --resume`,
    );
  }
  return latest;
}

async function startWorkers(
  count: number,
  run: RunInfo,
  prepared: PreparedSuite,
  options: RunBenchmarkOptions,
): Promise<Executor[]> {
  let ready = 0;
  options.onProgress?.({ stage: 'workers', done: 0, total: count });
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      WorkerProcess.start({
        init: {
          type: 'init',
          worker: i + 1,
          source: options.workerRegistry!,
          suite: run.suite,
          suiteConfig: prepared.config,
          suiteConfigHash: prepared.configHash,
          limit: run.sampleLimit,
          sampleListSha256: prepared.sampleListSha256,
          sampleKeysSha256: prepared.sampleKeysSha256,
          methods: run.methods,
        },
        ...(options.workerExecArgv ? { execArgv: options.workerExecArgv } : {}),
      }).then((worker) => {
        ready += 1;
        options.onProgress?.({ stage: 'workers', done: ready, total: count });
        return worker;
      }),
    ),
  );
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await Promise.allSettled(workers.map((w) => w.close()));
    const reason = failure.reason as Error;
    throw reason instanceof WorkerError
      ? reason
      : new WorkerError(`a worker failed to start: ${reason.message}`);
  }
  return workers;
}

/**
 * Hands tasks, in order, to whichever executor is free; logs an attempt before each hand-over and commits
 * the record as soon as it comes back (with the attempt of that executor's next task, in one transaction). The first failure stops the hand-out; samples in flight elsewhere
 * still finish and are recorded, then every executor is closed and the failure is rethrown.
 */
async function drive(
  executors: readonly Executor[],
  pending: readonly PendingTask[],
  run: RunInfo,
  prepared: PreparedSuite,
  options: RunBenchmarkOptions,
  total: number,
  alreadyDone: number,
): Promise<number> {
  const { store, signal } = options;
  let next = 0;
  let evaluated = 0;
  let failure: unknown;
  const stopping = () => failure !== undefined || signal?.aborted === true;
  const take = (): PendingTask | undefined =>
    !stopping() && next < pending.length ? pending[next++] : undefined;
  const attemptOf = (task: PendingTask, executor: Executor) => ({
    runId: run.runId,
    method: task.method.name,
    configHash: task.method.configHash,
    seed: task.seed,
    sampleKey: task.sampleKey,
    worker: executor.worker,
    pid: executor.pid,
  });
  const loop = async (executor: Executor) => {
    let task = take();
    try {
      let attempt = task ? store.beginAttempt(attemptOf(task, executor)) : 0;
      while (task) {
        if (stopping()) {
          // Logged with the previous record but not handed over yet: take it back, leave it for a resume.
          store.withdrawAttempt(attemptOf(task, executor), attempt);
          break;
        }
        const output = await executor.evaluate({
          methodIndex: task.methodIndex,
          seed: task.seed,
          sampleIndex: task.sampleIndex,
          sampleKey: task.sampleKey,
        });
        const following = take();
        const nextAttempt = store.commitRecord(
          {
            ...output,
            runId: run.runId,
            suite: run.suite,
            method: task.method.name,
            configHash: task.method.configHash,
            seed: task.seed,
            sampleKey: task.sampleKey,
            sampleIndex: task.sampleIndex,
            sampleList: prepared.sampleList,
            sampleListSha256: prepared.sampleListSha256,
            worker: executor.worker,
            attempt,
          },
          following ? attemptOf(following, executor) : undefined,
        );
        evaluated += 1;
        options.onProgress?.({ stage: 'evaluate', done: alreadyDone + evaluated, total });
        task = following;
        attempt = nextAttempt ?? 0;
      }
    } catch (error) {
      failure ??= error;
    }
  };
  options.onProgress?.({ stage: 'evaluate', done: alreadyDone, total });
  try {
    await Promise.all(executors.map(loop));
  } finally {
    const closed = await Promise.allSettled(executors.map((e) => e.close()));
    const closeFailure = closed.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failure === undefined && closeFailure) failure = closeFailure.reason;
  }
  if (failure !== undefined) throw failure;
  return evaluated;
}
