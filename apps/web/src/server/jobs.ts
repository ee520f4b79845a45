// Work the server runs for requests: one FIFO queue, one job at a time, so a model instance is never used by
// two requests at once (tfjs and onnxruntime sessions are not re-entrant, and the machine is small). Each
// job keeps its events so a client that subscribes late (or reconnects) replays them before the live ones.
import { randomUUID } from 'node:crypto';
import type { ProgressEvent } from '@attune/registry';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export type JobEvent =
  | { readonly type: 'queued'; readonly position: number }
  | { readonly type: 'started' }
  | {
      readonly type: 'progress';
      readonly stage: string;
      readonly done: number;
      readonly total: number;
      /** Numbers a long job reports with its progress (training: loss, msPerStep, etaMs). */
      readonly metrics?: Readonly<Record<string, number>>;
    }
  | { readonly type: 'result'; readonly result: unknown }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'cancelled' };

/** Thrown inside a job's work when the job was cancelled; the queue records it as cancelled, not failed. */
export class JobCancelledError extends Error {
  constructor() {
    super('the job was cancelled');
    this.name = 'JobCancelledError';
  }
}

export interface JobContext {
  readonly signal: AbortSignal;
  /** Reports progress; throws JobCancelledError once the job is cancelled, which stops a method mid-run. */
  progress(event: ProgressEvent, metrics?: Readonly<Record<string, number>>): void;
  /** Stores a file (a view PNG) served at /api/jobs/<id>/files/<name>. */
  attach(name: string, bytes: Buffer): void;
}

export type JobWork = (context: JobContext) => Promise<unknown>;

export class Job {
  readonly id = randomUUID();
  readonly createdAt = new Date().toISOString();
  status: JobStatus = 'queued';
  result: unknown = undefined;
  error: string | undefined = undefined;
  readonly events: JobEvent[] = [];
  readonly files = new Map<string, Buffer>();
  readonly controller = new AbortController();
  readonly #listeners = new Set<(event: JobEvent) => void>();

  constructor(
    readonly plugin: string,
    readonly work: JobWork,
  ) {}

  get finished(): boolean {
    return this.status === 'done' || this.status === 'failed' || this.status === 'cancelled';
  }

  emit(event: JobEvent): void {
    this.events.push(event);
    for (const listener of this.#listeners) listener(event);
  }

  /** Replays past events, then forwards new ones; returns the unsubscribe function. */
  subscribe(listener: (event: JobEvent) => void): () => void {
    for (const event of this.events) listener(event);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** What GET /api/jobs/<id> returns. */
  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      plugin: this.plugin,
      status: this.status,
      createdAt: this.createdAt,
      result: this.result ?? null,
      error: this.error ?? null,
    };
  }
}

export class JobQueue {
  readonly #jobs = new Map<string, Job>();
  readonly #waiting: Job[] = [];
  #running: Job | undefined;

  /** How many finished jobs are kept for GET /api/jobs/<id> (their view PNGs included). */
  constructor(private readonly keepFinished = 50) {}

  submit(plugin: string, work: JobWork): Job {
    const job = new Job(plugin, work);
    this.#jobs.set(job.id, job);
    this.#waiting.push(job);
    job.emit({ type: 'queued', position: this.#waiting.length - 1 + (this.#running ? 1 : 0) });
    this.#pump();
    return job;
  }

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  /** Cancels a queued job at once, a running one at its next progress report; false when already finished. */
  cancel(id: string): boolean {
    const job = this.#jobs.get(id);
    if (!job || job.finished) return false;
    job.controller.abort();
    const index = this.#waiting.indexOf(job);
    if (index >= 0) {
      this.#waiting.splice(index, 1);
      job.status = 'cancelled';
      job.emit({ type: 'cancelled' });
    }
    return true;
  }

  /** Cancels every unfinished job (shutdown). */
  cancelAll(): void {
    for (const job of [...this.#jobs.values()]) this.cancel(job.id);
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running || this.#waiting.length > 0) await new Promise((r) => setTimeout(r, 10));
  }

  #pump(): void {
    if (this.#running) return;
    const job = this.#waiting.shift();
    if (!job) return;
    this.#running = job;
    void this.#run(job).finally(() => {
      this.#running = undefined;
      this.#forgetOld();
      this.#pump();
    });
  }

  async #run(job: Job): Promise<void> {
    job.status = 'running';
    job.emit({ type: 'started' });
    const signal = job.controller.signal;
    const context: JobContext = {
      signal,
      progress: (event, metrics) => {
        if (signal.aborted) throw new JobCancelledError();
        job.emit({
          type: 'progress',
          stage: event.stage,
          done: event.done,
          total: event.total,
          ...(metrics ? { metrics } : {}),
        });
      },
      attach: (name, bytes) => {
        job.files.set(name, bytes);
      },
    };
    try {
      const result = await job.work(context);
      if (signal.aborted) throw new JobCancelledError();
      job.result = result;
      job.status = 'done';
      job.emit({ type: 'result', result });
    } catch (error) {
      if (error instanceof JobCancelledError || signal.aborted) {
        job.status = 'cancelled';
        job.emit({ type: 'cancelled' });
      } else {
        // A method that throws fails its job only; the server and the queue carry on.
        job.status = 'failed';
        job.error = error instanceof Error ? error.message : String(error);
        job.emit({ type: 'error', message: job.error });
      }
    }
  }

  #forgetOld(): void {
    const finished = [...this.#jobs.values()].filter((j) => j.finished);
    for (const job of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.#jobs.delete(job.id);
    }
  }
}
