import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EvaluationError, WorkerError } from './errors.js';
import type { Executor } from './executor.js';
import type { EvaluationOutput, EvaluationTask } from './sample-evaluator.js';
import type { ParentMessage, SerializedError, WorkerInit, WorkerMessage } from './worker-protocol.js';

export interface WorkerProcessOptions {
  readonly init: WorkerInit;
  /** Node flags for the worker, e.g. ['--import', 'tsx'] when suites or methods are TypeScript sources. */
  readonly execArgv?: readonly string[];
  /** How long a worker may take to exit after being asked to close before it is killed. */
  readonly closeTimeoutMs?: number;
}

interface Pending {
  resolve(output: EvaluationOutput): void;
  reject(error: Error): void;
  task: EvaluationTask | undefined;
}

/** The worker entry beside this module (worker-main.js when built, worker-main.ts when run from source). */
export function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`./worker-main${extname(here)}`, import.meta.url));
}

/**
 * A forked worker process evaluating one task at a time. Its stdout and stderr go to the harness's stderr
 * so a chatty method never corrupts machine-readable output. If the harness dies, the worker sees its IPC
 * channel close and exits.
 */
export class WorkerProcess implements Executor {
  readonly worker: number;
  readonly #child: ChildProcess;
  #pending: Pending | undefined;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #exited: Promise<void>;
  readonly #closeTimeoutMs: number;

  private constructor(worker: number, child: ChildProcess, closeTimeoutMs: number) {
    this.worker = worker;
    this.#child = child;
    this.#closeTimeoutMs = closeTimeoutMs;
    child.on('message', (message: WorkerMessage) => this.#onMessage(message));
    this.#exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.#exit = { code, signal };
        this.#rejectPending(this.#deathError());
        resolve();
      });
    });
    child.on('error', (error) => this.#rejectPending(new WorkerError(`worker ${worker}: ${error.message}`)));
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Forks a worker and waits until it has rebuilt the suite and methods (or failed to). */
  static async start(options: WorkerProcessOptions): Promise<WorkerProcess> {
    const child = fork(workerEntry(), [], {
      execArgv: [...(options.execArgv ?? [])],
      stdio: ['ignore', 2, 2, 'ipc'],
      serialization: 'json',
    });
    const worker = new WorkerProcess(options.init.worker, child, options.closeTimeoutMs ?? 10_000);
    try {
      await worker.#request(options.init, undefined);
    } catch (error) {
      await worker.close();
      throw error;
    }
    return worker;
  }

  async evaluate(task: EvaluationTask): Promise<EvaluationOutput> {
    return this.#request({ type: 'task', task }, task);
  }

  /** Asks the worker to dispose its instances and exit; kills it if it does not within the timeout. */
  async close(): Promise<void> {
    if (this.#exit) return;
    if (this.#child.connected) this.#child.send({ type: 'close' } satisfies ParentMessage);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), this.#closeTimeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Kills the worker at once (used when another worker failed). */
  kill(): void {
    if (!this.#exit) this.#child.kill('SIGKILL');
  }

  #request(message: ParentMessage, task: EvaluationTask | undefined): Promise<EvaluationOutput> {
    if (this.#exit) return Promise.reject(this.#deathError(task));
    if (this.#pending)
      return Promise.reject(new WorkerError(`worker ${this.worker} is busy; send one task at a time`));
    return new Promise<EvaluationOutput>((resolve, reject) => {
      this.#pending = { resolve, reject, task };
      this.#child.send(message, (error) => {
        if (error)
          this.#rejectPending(new WorkerError(`worker ${this.worker}: cannot send: ${error.message}`));
      });
    });
  }

  #onMessage(message: WorkerMessage): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    if (message.type === 'failed') pending.reject(toError(message.error, this.worker, pending.task));
    else if (message.type === 'result') pending.resolve(message.output);
    else pending.resolve(undefined as unknown as EvaluationOutput); // 'ready'
  }

  #rejectPending(error: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }

  #deathError(task = this.#pending?.task): WorkerError {
    const how = this.#exit?.signal
      ? `was killed by ${this.#exit.signal}`
      : `exited with code ${this.#exit?.code}`;
    const during = task
      ? ` while evaluating method #${task.methodIndex} (seed ${task.seed}) on sample "${task.sampleKey}"`
      : ' before it was ready';
    return new WorkerError(
      `worker ${this.worker} (pid ${this.pid}) ${how}${during}. Finished records are saved; ` +
        'rerun with --resume to continue (an out-of-memory kill shows up as SIGKILL).',
    );
  }
}

function toError(error: SerializedError, worker: number, task: EvaluationTask | undefined): Error {
  const made =
    error.name === 'EvaluationError'
      ? new EvaluationError(error.message)
      : new WorkerError(`worker ${worker}${task ? '' : ' failed to start'}: ${error.message}`);
  if (error.stack) made.stack = `${made.name}: ${made.message}\n  from worker ${worker}:\n${error.stack}`;
  return made;
}
