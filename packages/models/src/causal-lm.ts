/**
 * CausalLM over a decoder model folder (zoo:mini-lm or a Hugging Face decoder export): tokenisation,
 * batched sampling with a key/value cache and left padding, and token log-probabilities, all on
 * onnxruntime-node.
 */
import type { OnnxBackend, OnnxSession } from '@attune/backend-onnx';
import { createRng } from '@attune/tensor';
import type { CausalLMModelConfig, ResolvedModel } from '@attune/zoo';
import { type GenerationRow, generateBatch } from './batched-generation.js';
import { DecodeBatch, type DecoderLayout, decoderLayout, type KvCache } from './kv-decoder.js';
import { type LmLoadOptions, loadLmGraph } from './lm-graph-loader.js';
import { checkPrefix, checkTokenIds, resolveGenerateOptions } from './lm-input-checks.js';
import type { LmTokenizer } from './lm-tokenizer.js';
import { tokenLogProb } from './token-sampling.js';

export interface CausalLMConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  contextLength: number;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  numParameters: number;
  promptTemplate?: string;
}

export interface GenerateOptions {
  maxNewTokens: number;
  /** Default 1; 0 = greedy. */
  temperature?: number;
  /** Default [eos]. */
  stopTokens?: readonly number[];
  /** Default 0. */
  seed?: number;
  /** Rows per onnxruntime call, default 64. */
  batchSize?: number;
  onProgress?: (doneRows: number, totalRows: number) => void;
  /**
   * prefixCaches[k]: a cache returned with an earlier generation (`returnCaches`) whose sequence starts with
   * prefixes[k] minus its last token. Its first prefixes[k].length − 1 tokens are reused and only the last
   * prefix token is computed — how QAlign's suffix proposal continues a kept prefix without recomputing it.
   * All prefixes or none; the cache must belong to this model and to these tokens (its length is checked,
   * its content cannot be).
   */
  prefixCaches?: readonly KvCache[];
  /** Return each row's key/value cache with its generation (Generation.cache). Default false. */
  returnCaches?: boolean;
}

export interface Generation {
  /** New tokens, stop token excluded. */
  tokens: number[];
  /** Log-prob of each new token under the sampling distribution (temperature-scaled; T=1 values when greedy). */
  logProbs: number[];
  stopReason: 'stop' | 'length' | 'context';
  /**
   * With `returnCaches`: the key/value cache of prefix + every new token except the last one sampled (the
   * stop token, or the token that hit the length limit, was never fed). Continuing any prefix of
   * prefix + tokens can reuse it (`prefixCaches`).
   */
  cache?: KvCache;
}

export interface CausalLM {
  readonly source: string;
  readonly config: CausalLMConfig;
  encode(text: string, options?: { addBos?: boolean /* default true */ }): number[];
  /** Skips special tokens. */
  decode(ids: readonly number[]): string;
  /** Batched, KV cache, left padding. */
  generate(prefixes: readonly (readonly number[])[], options: GenerateOptions): Promise<Generation[]>;
  /** log p(continuation[t] | prefix + continuation[:t]) at T=1. */
  tokenLogProbs(prefix: readonly number[], continuation: readonly number[]): Promise<number[]>;
  dispose(): Promise<void>;
}

/** Loads a zoo id ("zoo:mini-lm") or a decoder model folder (Hugging Face / transformers.js layout). */
export async function loadCausalLM(source: string, options: LmLoadOptions = {}): Promise<CausalLM> {
  return loadLmGraph(
    source,
    {
      kind: 'causal-lm',
      graph: 'decoder',
      describe:
        'a causal LM folder (config.json model_type "attune-gpt", "gpt2", "llama", … and onnx/model.onnx with a key/value cache)',
    },
    options,
    (g) =>
      new OnnxCausalLM(
        source,
        g.resolved,
        g.config,
        g.numParameters,
        g.backend,
        g.session,
        decoderLayout(g.session, g.config),
        g.tokenizer,
      ),
  );
}

/** prefixCaches: one per prefix, each long enough and shaped for this model's layout. */
function checkPrefixCaches(
  caches: unknown,
  prefixes: readonly (readonly number[])[],
  layout: DecoderLayout,
): readonly KvCache[] | undefined {
  if (caches === undefined) return undefined;
  if (!Array.isArray(caches) || caches.length !== prefixes.length) {
    throw new TypeError(
      `prefixCaches: expected one cache per prefix (${prefixes.length}), got ${Array.isArray(caches) ? caches.length : typeof caches}`,
    );
  }
  const blocks = layout.pastNames.length;
  caches.forEach((cache: KvCache, k) => {
    const need = prefixes[k]!.length - 1;
    if (
      !cache ||
      !Number.isInteger(cache.length) ||
      !Array.isArray(cache.blocks) ||
      cache.blocks.length !== blocks
    ) {
      throw new TypeError(
        `prefixCaches[${k}]: expected a cache returned by generate({ returnCaches: true }) with ${blocks} blocks`,
      );
    }
    if (cache.length < need) {
      throw new RangeError(
        `prefixCaches[${k}] holds ${cache.length} tokens but prefixes[${k}] needs its first ${need} (all but the last token)`,
      );
    }
    const size = layout.numKvHeads * cache.length * layout.headDim;
    if (cache.blocks.some((b) => !(b instanceof Float32Array) || b.length !== size)) {
      throw new RangeError(
        `prefixCaches[${k}]: every block must be a Float32Array of ${layout.numKvHeads} heads × ${cache.length} tokens × ${layout.headDim}`,
      );
    }
  });
  return caches;
}

export class OnnxCausalLM implements CausalLM {
  readonly config: CausalLMConfig;
  private disposed = false;

  /** Use loadCausalLM. */
  constructor(
    readonly source: string,
    /** The resolved folder (files by role, card). */
    readonly resolved: ResolvedModel,
    private readonly modelConfig: CausalLMModelConfig,
    numParameters: number,
    private readonly backend: OnnxBackend,
    /** The decoder graph's session (tests compare cached steps with full recomputation through it). */
    readonly session: OnnxSession,
    readonly layout: DecoderLayout,
    private readonly tokenizer: LmTokenizer,
  ) {
    const c = modelConfig;
    this.config = {
      vocabSize: c.vocabSize,
      hiddenSize: c.hiddenSize,
      numLayers: c.numLayers,
      numHeads: c.numHeads,
      numKvHeads: c.numKvHeads,
      headDim: c.headDim,
      contextLength: c.contextLength,
      bosTokenId: c.bosTokenId,
      eosTokenId: c.eosTokenId,
      padTokenId: c.padTokenId,
      numParameters,
      ...(c.promptTemplate !== undefined ? { promptTemplate: c.promptTemplate } : {}),
    };
  }

  /** e.g. "onnxruntime-node cpu (2 threads)". */
  get backendName(): string {
    const threads = this.backend.settings.intraOpNumThreads;
    return `onnxruntime-node ${this.session.info.executionProviders.join('+')} (${threads} thread${threads === 1 ? '' : 's'})`;
  }

  encode(text: string, options: { addBos?: boolean } = {}): number[] {
    return this.tokenizer.encode(text, options.addBos ?? true);
  }

  decode(ids: readonly number[]): string {
    checkTokenIds(ids, 'decode', this.facts);
    return this.tokenizer.decode(ids);
  }

  async generate(prefixes: readonly (readonly number[])[], options: GenerateOptions): Promise<Generation[]> {
    this.assertUsable();
    if (!Array.isArray(prefixes)) {
      throw new TypeError(
        `generate: expected an array of prefixes (token id arrays), got ${typeof prefixes}`,
      );
    }
    prefixes.forEach((p, i) => {
      checkPrefix(p, `prefixes[${i}]`, this.facts);
    });
    const caches = checkPrefixCaches(options?.prefixCaches, prefixes, this.layout);
    const resolved = resolveGenerateOptions(
      options,
      { stopTokens: this.modelConfig.eosTokenIds },
      this.facts,
    );
    const total = prefixes.length;
    // Rows of similar length share a batch (less padding); results go back in the caller's order.
    const order = prefixes.map(
      (prefix, index): GenerationRow =>
        caches ? { index, prefix, cache: caches[index]! } : { index, prefix },
    );
    order.sort((a, b) => a.prefix.length - b.prefix.length || a.index - b.index);
    const results: Generation[] = new Array(total);
    const rng = createRng(resolved.seed);
    let done = 0;
    for (let start = 0; start < total; start += resolved.batchSize) {
      const rows = order.slice(start, start + resolved.batchSize);
      const generations = await generateBatch(
        this.session,
        this.layout,
        this.config.padTokenId,
        rows,
        resolved,
        rng,
        (count) => {
          done += count;
          resolved.onProgress?.(done, total);
        },
        undefined,
        options.returnCaches === true,
      );
      rows.forEach((row, k) => {
        results[row.index] = generations[k]!;
      });
    }
    return results;
  }

  async tokenLogProbs(prefix: readonly number[], continuation: readonly number[]): Promise<number[]> {
    this.assertUsable();
    checkTokenIds(prefix, 'prefix', this.facts);
    checkTokenIds(continuation, 'continuation', this.facts);
    if (prefix.length === 0) {
      throw new RangeError(
        'prefix is empty; the first token has no distribution without context (start with the BOS token: lm.encode(text) does)',
      );
    }
    if (continuation.length === 0) return [];
    const length = prefix.length + continuation.length;
    if (length > this.config.contextLength) {
      throw new RangeError(
        `prefix + continuation is ${length} tokens (${prefix.length} + ${continuation.length}) but ${this.source}'s ` +
          `context length is ${this.config.contextLength}; shorten the prefix or score the continuation in parts`,
      );
    }
    const batch = new DecodeBatch(this.session, this.layout, 1);
    try {
      await batch.prefill([[...prefix, ...continuation]], this.config.padTokenId);
      return continuation.map((token, t) => tokenLogProb(batch.logitsAt(0, prefix.length - 1 + t), token));
    } finally {
      batch.dispose();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.backend.dispose();
  }

  private get facts() {
    return {
      source: this.source,
      vocabSize: this.config.vocabSize,
      contextLength: this.config.contextLength,
    };
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error(`the CausalLM for ${this.source} was disposed; load it again`);
  }
}
