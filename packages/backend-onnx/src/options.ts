import { availableParallelism } from 'node:os';

export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';
const GRAPH_OPTIMIZATION_LEVELS: readonly GraphOptimizationLevel[] = ['disabled', 'basic', 'extended', 'all'];

/** Settings that shape an onnxruntime session; they are part of the session cache key. */
export interface SessionSettings {
  /** Threads inside one operator (matrix multiplies, convolutions). Default: os.availableParallelism(). */
  readonly intraOpNumThreads?: number;
  /**
   * Threads running independent operators at once. Default 1. Above 1 the session runs in onnxruntime's
   * 'parallel' execution mode, the only mode in which onnxruntime uses an inter-op pool.
   */
  readonly interOpNumThreads?: number;
  /** In order of preference. Default ['cpu']; 'cuda' falls back to 'cpu' where unavailable. */
  readonly executionProviders?: readonly ExecutionProviderName[];
  /** onnxruntime's graph optimisation level. Default 'all' (onnxruntime's own default). */
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
}

export type ResolvedSessionSettings = Required<SessionSettings>;

/** Default intra-op threads: every core this process may use. */
export function defaultIntraOpThreads(): number {
  return availableParallelism();
}

function checkThreadCount(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${field}: expected an integer >= 1, got ${String(value)}`);
  }
  return value;
}

/** Fills defaults and rejects bad values with a message naming the field and what it accepts. */
export function resolveSessionSettings(
  settings: SessionSettings = {},
  base?: ResolvedSessionSettings,
): ResolvedSessionSettings {
  const intra = settings.intraOpNumThreads ?? base?.intraOpNumThreads ?? defaultIntraOpThreads();
  const inter = settings.interOpNumThreads ?? base?.interOpNumThreads ?? 1;
  const providers = settings.executionProviders ?? base?.executionProviders ?? ['cpu'];
  const level = settings.graphOptimizationLevel ?? base?.graphOptimizationLevel ?? 'all';
  if (!Array.isArray(providers) || providers.length === 0) {
    throw new RangeError(
      `executionProviders: expected a non-empty array of 'cpu' | 'cuda', got ${String(providers)}`,
    );
  }
  for (const p of providers) {
    if (!(EXECUTION_PROVIDERS as readonly unknown[]).includes(p)) {
      throw new RangeError(`executionProviders: expected 'cpu' or 'cuda', got ${JSON.stringify(p)}`);
    }
  }
  if (!GRAPH_OPTIMIZATION_LEVELS.includes(level)) {
    throw new RangeError(
      `graphOptimizationLevel: expected one of ${GRAPH_OPTIMIZATION_LEVELS.join(', ')}, got ${JSON.stringify(level)}`,
    );
  }
  return {
    intraOpNumThreads: checkThreadCount('intraOpNumThreads', intra),
    interOpNumThreads: checkThreadCount('interOpNumThreads', inter),
    executionProviders: [...new Set(providers)],
    graphOptimizationLevel: level,
  };
}

export function checkBatchSize(value: unknown, field = 'batchSize'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${field}: expected an integer >= 1, got ${String(value)}`);
  }
  return value;
}
