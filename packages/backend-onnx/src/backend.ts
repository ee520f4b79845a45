import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InferenceSession } from 'onnxruntime-node';
import { OnnxBackendError } from './errors.js';
import { chooseProviders } from './execution-providers.js';
import {
  describeLoadFailure,
  type ModelSource,
  type ResolvedModelSource,
  resolveModelSource,
} from './model-source.js';
import {
  checkBatchSize,
  type ExecutionProviderName,
  type ResolvedSessionSettings,
  resolveSessionSettings,
  type SessionSettings,
} from './options.js';
import { OnnxSession } from './session.js';

export interface OnnxBackendOptions extends SessionSettings {
  /** Default rows per call for OnnxSession.runBatched. Default 64 (TPT's views per test image). */
  readonly batchSize?: number;
  /** Where one-line notes go (e.g. a cuda -> cpu fallback), each logged once. Default console.warn. */
  readonly log?: (message: string) => void;
}

interface CacheEntry {
  loading: Promise<OnnxSession>;
}

function defaultLog(message: string): void {
  console.warn(`[@attune/backend-onnx] ${message}`);
}

/**
 * onnxruntime-node sessions with settings applied once, checked feeds, and a cache: loading the same model
 * (same file version or same bytes) with the same settings returns the same session.
 */
export class OnnxBackend {
  readonly settings: ResolvedSessionSettings;
  readonly batchSize: number;
  readonly #log: (message: string) => void;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #loggedNotes = new Set<string>();
  #disposed = false;

  constructor(options: OnnxBackendOptions = {}) {
    this.settings = resolveSessionSettings(options);
    this.batchSize = checkBatchSize(options.batchSize ?? 64);
    this.#log = options.log ?? defaultLog;
  }

  /** Sessions currently cached (loading or loaded). */
  get cachedSessionCount(): number {
    return this.#cache.size;
  }

  /**
   * Loads a model from a path or its bytes. `overrides` change this session's settings (e.g. fewer threads
   * for a small tower); they are part of the cache key.
   */
  async load(model: ModelSource, overrides: SessionSettings = {}): Promise<OnnxSession> {
    this.#assertOpen();
    const settings = resolveSessionSettings(overrides, this.settings);
    const source = await resolveModelSource(model);
    const key = `${source.identity}|${source.version}|${JSON.stringify(settings)}`;
    const cached = this.#cache.get(key);
    if (cached) return cached.loading;
    const entry = {} as CacheEntry;
    entry.loading = this.#create(source, settings, () => {
      // Only drop the entry if it is still this one (a release and reload may have replaced it).
      if (this.#cache.get(key) === entry) this.#cache.delete(key);
    });
    this.#cache.set(key, entry);
    // A failed load must not stay cached: the next call should try again (the file may have been fixed).
    entry.loading.catch(() => {
      if (this.#cache.get(key) === entry) this.#cache.delete(key);
    });
    return entry.loading;
  }

  /**
   * Releases cached sessions: a session itself, or every session of a model path / model bytes (all settings
   * and file versions). Returns how many were released.
   */
  async release(model: OnnxSession | ModelSource): Promise<number> {
    if (model instanceof OnnxSession) {
      // The session leaves the cache synchronously, before its native release is awaited.
      const before = this.#cache.size;
      const releasing = model.release();
      const removed = before - this.#cache.size;
      await releasing;
      return removed;
    }
    const identity = await this.#identityOf(model);
    const keys = [...this.#cache.keys()].filter((k) => k.startsWith(`${identity}|`));
    const sessions = await Promise.allSettled(keys.map((k) => this.#cache.get(k)!.loading));
    for (const k of keys) this.#cache.delete(k);
    await Promise.all(sessions.map((s) => (s.status === 'fulfilled' ? s.value.release() : undefined)));
    return sessions.filter((s) => s.status === 'fulfilled').length;
  }

  /** Releases every session; the backend refuses further loads. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    const pending = [...this.#cache.values()].map((entry) => entry.loading);
    this.#cache.clear();
    const sessions = await Promise.allSettled(pending);
    await Promise.all(sessions.map((s) => (s.status === 'fulfilled' ? s.value.release() : undefined)));
  }

  async #identityOf(model: ModelSource): Promise<string> {
    if (typeof model === 'string') {
      // The file may be gone by now; its sessions are still released by the path they were loaded from.
      const absolute = resolve(model);
      return `file:${await realpath(absolute).catch(() => absolute)}`;
    }
    return (await resolveModelSource(model)).identity;
  }

  async #create(
    source: ResolvedModelSource,
    settings: ResolvedSessionSettings,
    uncache: () => void,
  ): Promise<OnnxSession> {
    const choice = chooseProviders(settings.executionProviders);
    const notes = [...choice.notes];
    const started = performance.now();
    let providers = choice.providers;
    let native: InferenceSession;
    try {
      native = await createNative(source, sessionOptionsFor(settings, providers));
    } catch (error) {
      // A CUDA library that exists but cannot start (no driver, no device) surfaces only here.
      if (!providers.includes('cuda')) throw describeLoadFailure(source.label, error);
      const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      notes.push(`execution provider 'cuda' failed to start, using cpu: ${firstLine}`);
      providers = ['cpu'];
      native = await createNative(source, sessionOptionsFor(settings, providers)).catch(
        (retryError: unknown) => {
          throw describeLoadFailure(source.label, retryError);
        },
      );
    }
    for (const note of notes) {
      if (!this.#loggedNotes.has(note)) {
        this.#loggedNotes.add(note);
        this.#log(note);
      }
    }
    return new OnnxSession(
      native,
      Object.freeze({
        model: source.label,
        inputs: native.inputMetadata,
        outputs: native.outputMetadata,
        settings,
        requestedExecutionProviders: settings.executionProviders,
        executionProviders: providers,
        notes,
        // Rebuilt rather than kept: onnxruntime may touch the object it was given.
        sessionOptions: deepFreeze(sessionOptionsFor(settings, providers)),
        loadMs: performance.now() - started,
      }),
      this.batchSize,
      uncache,
    );
  }

  #assertOpen(): void {
    if (this.#disposed) throw new OnnxBackendError('this OnnxBackend was disposed; create a new one');
  }
}

function sessionOptionsFor(
  settings: ResolvedSessionSettings,
  providers: readonly ExecutionProviderName[],
): InferenceSession.SessionOptions {
  // A fresh, unfrozen object each time: onnxruntime wraps the options in a Proxy, which fails on frozen ones.
  return {
    intraOpNumThreads: settings.intraOpNumThreads,
    interOpNumThreads: settings.interOpNumThreads,
    // onnxruntime only uses an inter-op pool in parallel mode.
    executionMode: settings.interOpNumThreads > 1 ? 'parallel' : 'sequential',
    executionProviders: [...providers],
    graphOptimizationLevel: settings.graphOptimizationLevel,
  };
}

function deepFreeze<T extends object>(value: T): T {
  for (const field of Object.values(value)) if (field && typeof field === 'object') deepFreeze(field);
  return Object.freeze(value);
}

function createNative(
  source: ResolvedModelSource,
  options: InferenceSession.SessionOptions,
): Promise<InferenceSession> {
  return typeof source.load === 'string'
    ? InferenceSession.create(source.load, options)
    : InferenceSession.create(source.load, options);
}

/** A backend with the given settings; see OnnxBackendOptions for the defaults. */
export function createOnnxBackend(options: OnnxBackendOptions = {}): OnnxBackend {
  return new OnnxBackend(options);
}
