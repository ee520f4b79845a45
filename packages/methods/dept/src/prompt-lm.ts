// A frozen causal LM as prompt tuning needs it: its tokenizer, its token-embedding table, the loss on label
// tokens with its gradient w.r.t. inputs_embeds (the VJP graph of the decoder + loss, one onnxruntime run), and
// forward logits from inputs_embeds for decoding. Works on any decoder folder with an inputs-embeds entry
// point (onnx/model_embeds.onnx) and a token-embedding graph (onnx/embed_tokens.onnx), as zoo:mini-lm ships.
import { readFile } from 'node:fs/promises';
import { loadVjpSession, type VjpSession } from '@attune/backend-onnx/vjp';
import { LmTokenizer } from '@attune/models';
import { type CausalLMModelConfig, type ResolvedModel, resolveModel } from '@attune/zoo';
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
}

export class PromptLM {
  private constructor(
    readonly source: string,
    readonly resolved: ResolvedModel,
    readonly config: CausalLMModelConfig,
    readonly tokenizer: LmTokenizer,
    /** [vocab, d], the frozen token embeddings. */
    readonly embeddingTable: Float32Array,
    private readonly forward: InferenceSession,
    private readonly lossVjp: VjpSession,
    private readonly pastInputs: readonly string[],
    readonly threads: number,
  ) {}

  static async load(source: string, options: PromptLMOptions = {}): Promise<PromptLM> {
    const resolved = await resolveModel(source);
    if (resolved.config.kind !== 'causal-lm') {
      throw new Error(`${source} is a ${resolved.kind} model; prompt tuning needs a causal LM`);
    }
    const config = resolved.config as CausalLMModelConfig;
    const embedsFile = resolved.files.decoderEmbeds;
    const tableFile = resolved.files.tokenEmbedding;
    if (!embedsFile || !tableFile) {
      throw new Error(
        `${source} has no inputs-embeds entry point: prompt tuning needs onnx/model_embeds.onnx (inputs_embeds -> logits) and onnx/embed_tokens.onnx (input_ids -> inputs_embeds); export them with packages/zoo/recipes/attune_recipes/gpt.py (export_decoder(..., from_embeds=True), export_embed_tokens)`,
      );
    }
    const threads = options.threads ?? 1;
    const sessionOptions: InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
    };
    const bytes = await readFile(embedsFile.path);
    const [tokenizer, table, forward] = await Promise.all([
      LmTokenizer.load(resolved.files.tokenizer!.path, config.bosTokenId),
      embeddingTableOf(tableFile.path, config.vocabSize, config.hiddenSize, sessionOptions),
      InferenceSession.create(bytes, sessionOptions),
    ]);
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    const lossVjp = await loadVjpSession(
      onnxProto.onnx.ModelProto.encode(withLabelLoss(model) as onnxProto.onnx.ModelProto).finish(),
      { wrt: ['inputs_embeds'], outputs: [LOSS], intraOpNumThreads: threads },
    );
    const pastInputs = forward.inputNames.filter((n) => n.startsWith('past_key_values'));
    return new PromptLM(source, resolved, config, tokenizer, table, forward, lossVjp, pastInputs, threads);
  }

  get dim(): number {
    return this.config.hiddenSize;
  }

  /** e.g. "onnxruntime-node cpu (1 thread), VJP graph". */
  get backendName(): string {
    return `onnxruntime-node cpu (${this.threads} thread${this.threads === 1 ? '' : 's'}), VJP graph for d loss / d inputs_embeds`;
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
