// The records the benchmark passes between the parent (runner) and each child (worker), and writes to
// results/scale.json.

/** The methods the benchmark runs, by their plugin names. */
export const METHODS = ['zeroshot', 'sts', 'sts-ensemble', 'tpt', 'difftpt'] as const;
export type MethodName = (typeof METHODS)[number];

/**
 * 'main': a (method, C) cell of the table (C = 200 or 1000). 'probe': a gradient method at a small C
 * with all C prompts in one taped pass (classChunk = C, as the released TPT code runs them), to measure how
 * that memory grows with C: what TPT without chunking would need at C = 200 / 1000.
 */
export type CaseRole = 'main' | 'probe';

/** One (method, C) run, in its own child process. */
export interface CaseSpec {
  readonly method: MethodName;
  readonly classes: number;
  readonly role: CaseRole;
  /** Timed samples (the photos, in order, each with its own seed). */
  readonly samples: number;
  /** Untimed samples first (JIT, wasm heap growth, onnxruntime arenas). */
  readonly warmup: number;
  /** The model: a zoo/shaped id or a folder. */
  readonly model: string;
  /** Views per sample for the view-based methods (TPT, STS: 64; DiffTPT: 1 + 64 conventional + 63 generated). */
  readonly views: number;
  /** TPT/DiffTPT's classChunk: prompts per pass of the text encoder (probes: C, one pass; absent: 'auto'). */
  readonly chunk?: number;
}

/** Per-sample wall times in ms, by stage. Stages a method does not have are absent. */
export interface StageTimes {
  /** The test-time views (RandomResizedCrop + flip; onnxruntime by default, JS with viewResize: 'pil'). */
  readonly views?: number;
  /** The frozen image tower on all views (onnxruntime). */
  readonly encode?: number;
  /** Class prototypes / spectral basis lookup (cached after the one-time setup: ~0). */
  readonly prototypes?: number;
  /** Test-time adaptation: STS's step on γ; TPT/DiffTPT's prompt tuning through the text encoder. */
  readonly adapt?: number;
  /** The prediction after adaptation. */
  readonly predict?: number;
}

export interface TfMemory {
  readonly numTensors: number;
  readonly numBytes: number;
}

export interface SampleRecord {
  /** Which photo and seed. */
  readonly image: string;
  readonly seed: number;
  /** Wall time of the whole classify call. */
  readonly totalMs: number;
  /**
   * CPU time (user + system, all threads) the child spent in the classify call, ms: the work, less exposed
   * to other processes' load than the wall time. Absent in results from before it was recorded.
   */
  readonly cpuMs?: number;
  readonly stages: StageTimes;
  /** process.resourceUsage().maxRSS after the sample, bytes. */
  readonly maxRssBytes: number;
  /** tf.memory() after the sample (what stays allocated: cached prototypes, the tfjs graph, the context). */
  readonly tfMemory: TfMemory;
  /** Size of the tfjs-wasm heap after the sample (it only grows: its high-water mark), bytes; absent off wasm. */
  readonly wasmHeapBytes?: number;
  /** Method-specific facts (views kept, STS rank k, steps). */
  readonly facts: Record<string, number>;
}

/** What a child sends to the parent over IPC. */
export type WorkerMessage =
  | { readonly type: 'stage'; readonly stage: string }
  | {
      readonly type: 'loaded';
      readonly ms: number;
      readonly rssBytes: number;
      readonly backend: string;
      readonly tfBackend: string;
    }
  | { readonly type: 'setup'; readonly ms: number; readonly what: string; readonly rssBytes: number }
  | { readonly type: 'sample'; readonly warmup: boolean; readonly record: SampleRecord }
  | {
      readonly type: 'done';
      readonly maxRssBytes: number;
      /** The method's runtimes, read after the samples (tfjs initialises its backend lazily). */
      readonly backend: string;
      readonly tfBackend: string;
      readonly tfMemory: TfMemory;
      readonly wasmHeapBytes?: number;
      readonly notes: readonly string[];
    }
  | {
      readonly type: 'error';
      readonly stage: string;
      readonly message: string;
      readonly wasmHeapBytes?: number;
      readonly tfBackend?: string;
    };

export type CaseStatus = 'ok' | 'does-not-fit' | 'failed' | 'timeout';

export interface CaseResult {
  readonly spec: CaseSpec;
  readonly status: CaseStatus;
  /** Why a case is not 'ok' ("does not fit: ..."). */
  readonly reason?: string;
  readonly samples: readonly SampleRecord[];
  readonly warmups: readonly SampleRecord[];
  /** Creating the method and loading its model(s), ms. */
  readonly loadMs?: number;
  /** One-time work per class set (prototypes + basis, or prompt token embeddings), ms. */
  readonly setupMs?: number;
  readonly setupWhat?: string;
  /** RSS right after loading (model weights, runtimes), bytes. */
  readonly loadedRssBytes?: number;
  /** Peak RSS of the child: the larger of its own maxRSS and the parent's last VmHWM reading, bytes. */
  readonly peakRssBytes?: number;
  readonly wasmHeapBytes?: number;
  readonly tfMemory?: TfMemory;
  readonly backend?: string;
  readonly tfBackend?: string;
  /** The stage the child was in last (where it died, for a failed case). */
  readonly lastStage?: string;
  readonly wallSeconds: number;
  /** The machine's 1-minute load average when the case started and ended (the machine is shared). */
  readonly loadAverage?: readonly [number, number];
  readonly notes: readonly string[];
}
