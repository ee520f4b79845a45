// A frozen causal LM as prompt tuning needs it: its tokenizer, its token-embedding table, the loss on label
// tokens with its gradient w.r.t. inputs_embeds (the VJP graph of the decoder + loss, one onnxruntime run), and
// forward logits from inputs_embeds for decoding. Works on any decoder folder with an inputs-embeds entry
// point (onnx/model_embeds.onnx) and a token-embedding graph (onnx/embed_tokens.onnx), as zoo:mini-lm ships;
// a decoder without them (zoo:mini-moe) gets both cut from its onnx/model.onnx by graph surgery at load time
// (@attune/models deriveDecoderEmbeds: cached, checked against the original's outputs first). An MoE LM
// (kind 'moe-lm') is fed "no routing override": routing_override_layers all 0 (the graph then takes the
// router's own softmax in every layer; the override values, uniform 1/E, are not read).
import { readFile } from 'node:fs/promises';
import { createOnnxBackend } from '@attune/backend-onnx';
import { loadVjpSession, type VjpSession } from '@attune/backend-onnx/vjp';
import { deriveDecoderEmbeds, LmTokenizer, MOE_ROUTING_INPUTS } from '@attune/models';
import {
  type CausalLMModelConfig,
  type MoeLMModelConfig,
  type ResolvedModel,
  resolveModel,
} from '@attune/zoo';
import onnxProto from 'onnx-proto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { LOSS, TARGET_IDS, TARGET_WEIGHTS, withLabelLoss } from './loss-graph.js';

/** One batch of equal-length rows, laid out by sequences.ts. */
export interface LmBatch {
  readonly batch: number;
  readonly length: number;
  /** [batch, length, d]. */
  readonly inputsEmbeds: Float32Array;
  /** [batch, length], 1 = attended. */
  readonly attentionMask: BigInt64Array;
  /** [batch, length]. */
  readonly positionIds: BigInt64Array;
}

export interface LossBatch extends LmBatch {
  /** [batch, length]: the token each position predicts (0 where unweighted). */
  readonly targetIds: BigInt64Array;
  /** [batch, length]: 1/N at the N label-token positions, 0 elsewhere. */
  readonly targetWeights: Float32Array;
}

export interface PromptLMOptions {
  /** onnxruntime intra-op threads (default 1: the machines are shared). */
  readonly threads?: number;
  /** Told where the inputs-embeds entry point came from when it is cut from the decoder (default: silent). */
  readonly onNotice?: (message: string) => void;
}

/** The decoder configs prompt tuning runs on: a causal LM, or an MoE LM fed without a routing override. */
export type PromptLMConfig = CausalLMModelConfig | MoeLMModelConfig;

/** Inputs fed by every PromptLM (the KV cache, empty, and the MoE routing inputs are fed by name too). */
const BASE_INPUTS = ['inputs_embeds', 'attention_mask', 'position_ids'];

export class PromptLM {
  private constructor(
    readonly source: string,
    readonly resolved: ResolvedModel,
    readonly config: PromptLMConfig,
    readonly tokenizer: LmTokenizer,
    /** [vocab, d], the frozen token embeddings. */
    readonly embeddingTable: Float32Array,
    private readonly forward: InferenceSession,
    private readonly lossVjp: VjpSession,
    private readonly pastInputs: readonly string[],
    readonly threads: number,
    /** How the inputs-embeds graph was obtained: shipped, or cut from the decoder (and its check). */
    readonly entryPoint: { readonly derived: boolean; readonly maxAbsDiff?: number },
  ) {}

  static async load(source: string, options: PromptLMOptions = {}): Promise<PromptLM> {
    const resolved = await resolveModel(source);
    if (resolved.config.kind !== 'causal-lm' && resolved.config.kind !== 'moe-lm') {
      throw new Error(
        `${source} is a ${resolved.kind} model; prompt tuning needs a causal LM (or an MoE LM, fed without a routing override)`,
      );
    }
    const config = resolved.config as PromptLMConfig;
    const threads = options.threads ?? 1;
    const tokenizer = await LmTokenizer.load(resolved.files.tokenizer!.path, config.bosTokenId);
    let embedsPath = resolved.files.decoderEmbeds?.path;
    let tablePath = resolved.files.tokenEmbedding?.path;
    let entryPoint: { derived: boolean; maxAbsDiff?: number } = { derived: false };
    if (!embedsPath || !tablePath) {
      const decoder = resolved.files.decoder;
      const hint =
        'prompt tuning needs onnx/model_embeds.onnx (inputs_embeds -> logits) and onnx/embed_tokens.onnx (input_ids -> inputs_embeds); export them with packages/zoo/recipes/attune_recipes/gpt.py (export_decoder(..., from_embeds=True), export_embed_tokens)';
      if (!decoder)
        throw new Error(`${source} has no inputs-embeds entry point and no decoder to cut one from: ${hint}`);
      const backend = createOnnxBackend({ intraOpNumThreads: threads });
      try {
        const derived = await deriveDecoderEmbeds(
          decoder.path,
          backend,
          { config, tokenizer },
          options.onNotice ?? (() => {}),
        );
        embedsPath = derived.decoderEmbeds;
        tablePath = derived.tokenEmbedding;
        entryPoint = { derived: true, maxAbsDiff: derived.maxAbsDiff };
      } catch (error) {
        throw new Error(`${source} has no inputs-embeds entry point: ${(error as Error).message}; ${hint}`, {
          cause: error,
        });
      } finally {
        await backend.dispose();
      }
    }
    const sessionOptions: InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
    };
    const bytes = await readFile(embedsPath);
    const [table, forward] = await Promise.all([
      embeddingTableOf(tablePath, config.vocabSize, config.hiddenSize, sessionOptions),
      InferenceSession.create(bytes, sessionOptions),
    ]);
    const pastInputs = forward.inputNames.filter((n) => n.startsWith('past_key_values'));
    const routing: readonly string[] = config.kind === 'moe-lm' ? MOE_ROUTING_INPUTS : [];
    const unknown = forward.inputNames.filter(
      (n) => !BASE_INPUTS.includes(n) && !pastInputs.includes(n) && !routing.includes(n),
    );
    const lacking = BASE_INPUTS.filter((n) => !forward.inputNames.includes(n));
    if (unknown.length > 0 || lacking.length > 0) {
      await forward.release();
      throw new Error(
        `${source}: the inputs-embeds graph ${lacking.length > 0 ? `lacks ${lacking.join(', ')}` : ''}${lacking.length > 0 && unknown.length > 0 ? ' and ' : ''}${unknown.length > 0 ? `takes inputs prompt tuning cannot feed (${unknown.join(', ')})` : ''}; expected ${BASE_INPUTS.join(', ')}, past_key_values.* and, for an MoE LM, ${MOE_ROUTING_INPUTS.join(', ')}`,
      );
    }
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    const lossVjp = await loadVjpSession(
      onnxProto.onnx.ModelProto.encode(withLabelLoss(model) as onnxProto.onnx.ModelProto).finish(),
      { wrt: ['inputs_embeds'], outputs: [LOSS], intraOpNumThreads: threads },
    );
    return new PromptLM(
      source,
      resolved,
      config,
      tokenizer,
      table,
      forward,
      lossVjp,
      pastInputs,
      threads,
      entryPoint,
    );
  }

  get dim(): number {
    return this.config.hiddenSize;
  }

  /** e.g. "onnxruntime-node cpu (1 thread), VJP graph". */
  get backendName(): string {
    return `onnxruntime-node cpu (${this.threads} thread${this.threads === 1 ? '' : 's'}), VJP graph for d loss / d inputs_embeds${this.entryPoint.derived ? ' (entry point cut from the decoder)' : ''}`;
  }

  /** Token embeddings of ids, [n, d]. */
  embed(ids: readonly number[]): Float32Array {
    const d = this.dim;
    const out = new Float32Array(ids.length * d);
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) {
        throw new Error(`token id ${id} is outside the vocabulary [0, ${this.config.vocabSize})`);
      }
      out.set(this.embeddingTable.subarray(id * d, id * d + d), i * d);
    });
    return out;
  }

  /** The loss on the label tokens and d loss / d inputs_embeds, from one run of the VJP graph. */
  async lossAndGradient(batch: LossBatch): Promise<{ loss: number; grad: Float32Array }> {
    const { grads, outputs } = await this.lossVjp.run(
      {
        ...this.baseFeeds(batch),
        [TARGET_IDS]: new Tensor('int64', batch.targetIds, [batch.batch, batch.length]),
        [TARGET_WEIGHTS]: new Tensor('float32', batch.targetWeights, [batch.batch, batch.length]),
      },
      { [LOSS]: new Tensor('float32', new Float32Array([1]), []) },
    );
    return {
      loss: (outputs[LOSS]!.data as Float32Array)[0]!,
      grad: grads.inputs_embeds!.data as Float32Array,
    };
  }

  /** Logits [batch, length, vocab] from inputs_embeds (no gradient). */
  async logits(batch: LmBatch): Promise<Float32Array> {
    const out = await this.forward.run(this.baseFeeds(batch), ['logits']);
    return out.logits!.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.forward.release(), this.lossVjp.release()]);
  }

  private baseFeeds(batch: LmBatch): Record<string, Tensor> {
    const { batch: b, length: t } = batch;
    if (batch.inputsEmbeds.length !== b * t * this.dim) {
      throw new Error(
        `inputs_embeds must be [${b}, ${t}, ${this.dim}] (${b * t * this.dim} floats), got ${batch.inputsEmbeds.length}`,
      );
    }
    const feeds: Record<string, Tensor> = {
      inputs_embeds: new Tensor('float32', batch.inputsEmbeds, [b, t, this.dim]),
      attention_mask: new Tensor('int64', batch.attentionMask, [b, t]),
      position_ids: new Tensor('int64', batch.positionIds, [b, t]),
    };
    const { numKvHeads, headDim } = this.config;
    for (const name of this.pastInputs) {
      feeds[name] = new Tensor('float32', new Float32Array(0), [b, numKvHeads, 0, headDim]);
    }
    if (this.config.kind === 'moe-lm') {
      // No routing override: every layer's flag 0, so the graph keeps the router's softmax (the recipe's
      // weights = probs·(1 − flag) + override·flag); the uniform override values are not read.
      const { numLayers: L, numExperts: E } = this.config;
      const [override, flags] = MOE_ROUTING_INPUTS;
      feeds[override] = new Tensor('float32', new Float32Array(b * L * E).fill(1 / E), [b, L, E]);
      feeds[flags] = new Tensor('float32', new Float32Array(L), [L]);
    }
    return feeds;
  }
}

/** The whole [vocab, d] embedding table, from one run of the token-embedding graph on every id. */
async function embeddingTableOf(
  path: string,
  vocab: number,
  dim: number,
  options: InferenceSession.SessionOptions,
): Promise<Float32Array> {
  const session = await InferenceSession.create(path, options);
  try {
    const ids = BigInt64Array.from({ length: vocab }, (_, i) => BigInt(i));
    const out = await session.run({ input_ids: new Tensor('int64', ids, [1, vocab]) });
    const table = out[session.outputNames[0]!]!.data as Float32Array;
    if (table.length !== vocab * dim) {
      throw new Error(`${path}: expected [1, ${vocab}, ${dim}] embeddings, got ${table.length} floats`);
    }
    return Float32Array.from(table);
  } finally {
    await session.release();
  }
}
