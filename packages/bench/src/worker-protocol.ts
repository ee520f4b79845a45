import type { MethodSpec } from './records.js';
import type { RegistrySource } from './registry-source.js';
import type { EvaluationOutput, EvaluationTask } from './sample-evaluator.js';

/** Everything a worker needs to rebuild the run's suite and methods and to prove they match the harness's. */
export interface WorkerInit {
  readonly type: 'init';
  readonly worker: number;
  readonly source: RegistrySource;
  readonly suite: string;
  readonly suiteConfig: Readonly<Record<string, unknown>>;
  readonly suiteConfigHash: string;
  readonly limit: number | null;
  readonly sampleListSha256: string;
  readonly sampleKeysSha256: string;
  readonly methods: readonly MethodSpec[];
}

export type ParentMessage =
  | WorkerInit
  | { readonly type: 'task'; readonly task: EvaluationTask }
  | { readonly type: 'close' };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly output: EvaluationOutput }
  | { readonly type: 'failed'; readonly error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}
