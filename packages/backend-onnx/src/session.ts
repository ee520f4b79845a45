import { performance } from 'node:perf_hooks';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { concatRows, findBatchedInputs, sliceRows } from './batching.js';
import { formatDims, formatValueMetadata } from './describe.js';
import { OnnxBackendError } from './errors.js';
import { checkFeeds } from './feed-validation.js';
import { checkBatchSize, type ExecutionProviderName, type ResolvedSessionSettings } from './options.js';
import { zeroFeeds } from './warm-up.js';

type ValueMetadata = InferenceSession.ValueMetadata;

/** Input name -> onnxruntime Tensor. */
export type Feeds = Readonly<Record<string, Tensor>>;
/** Output name -> onnxruntime Tensor. */
export type Outputs = Record<string, Tensor>;

export interface SessionInfo {
  /** The model as errors name it: its absolute path, or `<N bytes, sha256 …>`. */
  readonly model: string;
  readonly inputs: readonly ValueMetadata[];
  readonly outputs: readonly ValueMetadata[];
  readonly settings: ResolvedSessionSettings;
  readonly requestedExecutionProviders: readonly ExecutionProviderName[];
  /** What the session actually runs on. */
  readonly executionProviders: readonly ExecutionProviderName[];
  /** One line per fallback, e.g. why 'cuda' was not used. */
  readonly notes: readonly string[];
  /** Exactly the options handed to onnxruntime's InferenceSession.create. */
  readonly sessionOptions: Readonly<InferenceSession.SessionOptions>;
  readonly loadMs: number;
}

export interface RunBatchedOptions {
  /** Rows per onnxruntime call. Default: the backend's batchSize (64). */
  readonly batchSize?: number;
  /** Outputs to compute; default all. Each must be batched along dim 0. */
  readonly outputNames?: readonly string[];
  /** Inputs to split; default those whose first declared dimension is dynamic. */
  readonly batchedInputs?: readonly string[];
  /** Called after each chunk, e.g. to draw a progress bar. */
  readonly onProgress?: (rowsDone: number, rowsTotal: number) => void;
}

export interface WarmUpOptions {
  /** Runs to make. Default 1. */
  readonly runs?: number;
  /** Sizes for dynamic dimensions by name, e.g. { batch: 64 }; unnamed or unlisted ones are 1. */
  readonly dims?: Readonly<Record<string, number>>;
  /** Feeds to warm up with instead of zeros shaped from the metadata. */
  readonly feeds?: Feeds;
}

export interface WarmUpReport {
  readonly runs: number;
  readonly msPerRun: readonly number[];
}

/**
 * One loaded model. Feeds are checked against the model's input metadata before every run; a released session
 * refuses to run. Sessions come from OnnxBackend.load, which caches them, so one session may be shared: release
 * it (or the backend) only when every user is done.
 */
export class OnnxSession {
  readonly #native: InferenceSession;
  readonly #defaultBatchSize: number;
  readonly #onRelease: (session: OnnxSession) => void;
  readonly #inFlight = new Set<Promise<unknown>>();
  #released = false;

  constructor(
    native: InferenceSession,
    readonly info: SessionInfo,
    defaultBatchSize: number,
    onRelease: (session: OnnxSession) => void,
  ) {
    this.#native = native;
    this.#defaultBatchSize = defaultBatchSize;
    this.#onRelease = onRelease;
  }

  get inputNames(): readonly string[] {
    return this.info.inputs.map((m) => m.name);
  }

  get outputNames(): readonly string[] {
    return this.info.outputs.map((m) => m.name);
  }

  get released(): boolean {
    return this.#released;
  }

  /** One onnxruntime call. `outputNames` limits what is computed (default: every output). */
  async run(feeds: Feeds, outputNames?: readonly string[]): Promise<Outputs> {
    this.#assertOpen();
    checkFeeds(this.info.inputs, feeds, this.info.model);
    return this.#runChecked(feeds, this.#checkOutputNames(outputNames));
  }

  /**
   * Splits the batched inputs along dim 0 into chunks of `batchSize` rows, runs each, and joins the outputs along
   * dim 0: the result equals one run over the whole batch, with peak activation memory of one chunk.
   */
  async runBatched(feeds: Feeds, options: RunBatchedOptions = {}): Promise<Outputs> {
    this.#assertOpen();
    const batchSize = checkBatchSize(options.batchSize ?? this.#defaultBatchSize);
    checkFeeds(this.info.inputs, feeds, this.info.model);
    const fetches = this.#checkOutputNames(options.outputNames) ?? this.outputNames;
    const { names, rows } = findBatchedInputs(this.info.inputs, feeds, options.batchedInputs);
    if (rows <= batchSize) {
      const whole = await this.#runChecked(feeds, fetches);
      options.onProgress?.(rows, rows);
      return whole;
    }
    this.#assertOutputsBatched(fetches);

    const parts = new Map<string, Tensor[]>(fetches.map((name) => [name, []]));
    for (let start = 0; start < rows; start += batchSize) {
      const end = Math.min(start + batchSize, rows);
      const chunk: Record<string, Tensor> = { ...feeds };
      for (const name of names) chunk[name] = sliceRows(feeds[name]!, start, end);
      const out = await this.#runChecked(chunk, fetches);
      for (const name of fetches) {
        const tensor = out[name]!;
        if (tensor.dims[0] !== end - start) {
          throw new OnnxBackendError(
            `output "${name}" of ${this.info.model} is not batched along dim 0: a chunk of ${end - start} rows gave ` +
              `${formatDims(tensor.dims)}; leave it out of outputNames or use run()`,
          );
        }
        parts.get(name)!.push(tensor);
      }
      options.onProgress?.(end, rows);
    }
    const joined: Outputs = {};
    for (const [name, tensors] of parts) {
      joined[name] = concatRows(name, tensors);
      for (const t of tensors) t.dispose();
    }
    return joined;
  }

  /** Runs the model on zeros (or given feeds) so first-call costs (allocations, kernel choice) are paid up front. */
  async warmUp(options: WarmUpOptions = {}): Promise<WarmUpReport> {
    this.#assertOpen();
    const runs = options.runs ?? 1;
    if (!Number.isInteger(runs) || runs < 1)
      throw new RangeError(`warm-up runs: expected an integer >= 1, got ${runs}`);
    const feeds = options.feeds ?? zeroFeeds(this.info.inputs, options.dims);
    checkFeeds(this.info.inputs, feeds, this.info.model);
    const msPerRun: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const out = await this.#runChecked(feeds, undefined);
      msPerRun.push(performance.now() - t0);
      for (const t of Object.values(out)) t.dispose();
    }
    return { runs, msPerRun };
  }

  /** Frees the native session (after runs in flight finish) and drops it from the backend's cache. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease(this);
    await Promise.allSettled([...this.#inFlight]);
    await this.#native.release();
  }

  #assertOpen(): void {
    if (this.#released) {
      throw new OnnxBackendError(`the session for ${this.info.model} was released; load the model again`);
    }
  }

  #checkOutputNames(outputNames: readonly string[] | undefined): readonly string[] | undefined {
    if (outputNames === undefined) return undefined;
    const known = this.outputNames;
    const listed = () => this.info.outputs.map(formatValueMetadata).join(', ');
    if (!Array.isArray(outputNames) || outputNames.length === 0) {
      throw new OnnxBackendError(`outputNames: expected a non-empty array of output names (${listed()})`);
    }
    const unknown = outputNames.filter((n) => !known.includes(n));
    if (unknown.length > 0) {
      throw new OnnxBackendError(
        `unknown output ${unknown.map((n) => `"${n}"`).join(', ')} for ${this.info.model}; its outputs are ${listed()}`,
      );
    }
    return [...new Set(outputNames)];
  }

  #assertOutputsBatched(fetches: readonly string[]): void {
    for (const name of fetches) {
      const meta = this.info.outputs.find((m) => m.name === name);
      if (meta?.isTensor && meta.shape.length > 0 && typeof meta.shape[0] === 'number') {
        throw new OnnxBackendError(
          `output "${name}" of ${this.info.model} has a fixed first dimension (${formatValueMetadata(meta)}), ` +
            'so it cannot be joined along dim 0; leave it out of outputNames or use run()',
        );
      }
    }
  }

  async #runChecked(feeds: Feeds, fetches: readonly string[] | undefined): Promise<Outputs> {
    const pending = fetches ? this.#native.run(feeds, fetches) : this.#native.run(feeds);
    this.#inFlight.add(pending);
    try {
      return (await pending) as Outputs;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new OnnxBackendError(`onnxruntime failed running ${this.info.model}: ${message}`, {
        cause: error,
      });
    } finally {
      this.#inFlight.delete(pending);
    }
  }
}
