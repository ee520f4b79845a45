/**
 * Typed views of a language model folder's config.json: a decoder LM ('causal-lm') or a scalar reward
 * model ('reward-model'). Zoo configs use Hugging Face's llama-style names (hidden_size,
 * num_hidden_layers, ...); GPT-2's names (n_embd, n_layer, n_head, n_positions) are read too.
 */
import { InvalidModelConfigError } from './errors.js';
import { FieldReader, type Json } from './field-reader.js';

export interface CausalLMModelConfig {
  readonly kind: 'causal-lm';
  readonly modelType: string;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** Heads of the key/value cache (fewer than numHeads with grouped-query attention). */
  readonly numKvHeads: number;
  readonly headDim: number;
  /** Positions the model has embeddings for: prompt + generated tokens must fit. */
  readonly contextLength: number;
  readonly bosTokenId: number;
  /** The first end token (eosTokenIds[0]). */
  readonly eosTokenId: number;
  /** Every end token config.json lists (HF configs may list several). */
  readonly eosTokenIds: readonly number[];
  /** pad_token_id, or the end token when config.json has none (GPT-2). */
  readonly padTokenId: number;
  /** num_parameters when config.json states it (zoo models do; HF configs do not). */
  readonly numParameters: number | undefined;
  /** e.g. "Question: {question}\nAnswer:" (zoo models). */
  readonly promptTemplate: string | undefined;
  readonly raw: Json;
}

/** A mixture-of-experts decoder with routing outputs and a routing-override input (kind 'moe-lm'). */
export interface MoeLMModelConfig extends Omit<CausalLMModelConfig, 'kind'> {
  readonly kind: 'moe-lm';
  readonly numExperts: number;
  /** Experts run per token (top-k of the routing distribution). */
  readonly topK: number;
  /** Whether the top-k weights are renormalised to sum to 1 (OLMoE: false). */
  readonly normTopkProb: boolean;
  /** Floor the graph clamps override weights to before renormalising (the released C3PO code: 1e-10). */
  readonly overrideFloor: number;
}

export interface RewardModelConfig {
  readonly kind: 'reward-model';
  readonly modelType: string;
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  /** Always 1: one scalar score per sequence. */
  readonly numLabels: 1;
  readonly numParameters: number | undefined;
  /** How the scorer expects its input, e.g. "bos + tokens(prompt + completion) + eos, right-padded". */
  readonly inputFormat: string | undefined;
  readonly promptTemplate: string | undefined;
  readonly raw: Json;
}

const VOCAB = ['vocab_size'];
const HIDDEN = ['hidden_size', 'n_embd', 'd_model'];
const LAYERS = ['num_hidden_layers', 'n_layer', 'num_layers'];
const HEADS = ['num_attention_heads', 'n_head'];
const CONTEXT = ['max_position_embeddings', 'n_positions', 'n_ctx'];

function optionalString(raw: Json, key: string, what: string, file: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new InvalidModelConfigError(
      file,
      `${key} (${what}) must be a string, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** bos / eos / pad ids: bos and pad fall back to the (first) end token, as GPT-2 configs need. */
function specialTokens(r: FieldReader, vocabSize: number) {
  const eosTokenIds = r.tokenIds(['eos_token_id'], 'end token id', vocabSize);
  const eos = eosTokenIds[0]!;
  const [bos] = r.tokenIds(['bos_token_id'], 'start token id', vocabSize, [eos]);
  const [pad] = r.tokenIds(['pad_token_id'], 'pad token id', vocabSize, [eos]);
  return { bosTokenId: bos!, eosTokenId: eos, eosTokenIds, padTokenId: pad! };
}

export function parseCausalLMConfig(raw: Json, file: string): CausalLMModelConfig {
  const r = new FieldReader(file, [raw]);
  const vocabSize = r.number(VOCAB, 'vocabulary size', 'positive-int');
  const hiddenSize = r.number(HIDDEN, 'hidden size', 'positive-int');
  const numLayers = r.number(LAYERS, 'number of layers', 'positive-int');
  const numHeads = r.number(HEADS, 'number of attention heads', 'positive-int');
  const numKvHeads =
    r.number(['num_key_value_heads'], 'number of key/value heads', 'positive-int', true) ?? numHeads;
  if (numHeads % numKvHeads !== 0) {
    throw new InvalidModelConfigError(
      file,
      `num_attention_heads (${numHeads}) must be a multiple of num_key_value_heads (${numKvHeads})`,
    );
  }
  let headDim = r.number(['head_dim'], 'head size', 'positive-int', true);
  if (headDim === undefined) {
    if (hiddenSize % numHeads !== 0) {
      throw new InvalidModelConfigError(
        file,
        `missing head_dim, and hidden size ${hiddenSize} is not a multiple of ${numHeads} heads; add head_dim`,
      );
    }
    headDim = hiddenSize / numHeads;
  }
  return {
    kind: 'causal-lm',
    modelType: r.string(['model_type'], 'model type'),
    vocabSize,
    hiddenSize,
    numLayers,
    numHeads,
    numKvHeads,
    headDim,
    contextLength: r.number(CONTEXT, 'context length', 'positive-int'),
    ...specialTokens(r, vocabSize),
    numParameters: r.number(['num_parameters'], 'parameter count', 'positive-int', true),
    promptTemplate: optionalString(raw, 'prompt_template', 'prompt template', file),
    raw,
  };
}

export function parseRewardModelConfig(raw: Json, file: string): RewardModelConfig {
  const r = new FieldReader(file, [raw]);
  const vocabSize = r.number(VOCAB, 'vocabulary size', 'positive-int');
  const id2label = raw.id2label;
  const labelsFromMap =
    typeof id2label === 'object' && id2label !== null ? Object.keys(id2label).length : undefined;
  const numLabels =
    r.number(['num_labels'], 'number of score outputs', 'positive-int', true) ?? labelsFromMap ?? 1;
  if (numLabels !== 1) {
    throw new InvalidModelConfigError(
      file,
      `num_labels (number of score outputs) must be 1 for a reward model, got ${numLabels}; attune reads one scalar score per sequence`,
    );
  }
  const { bosTokenId, eosTokenId, padTokenId } = specialTokens(r, vocabSize);
  return {
    kind: 'reward-model',
    modelType: r.string(['model_type'], 'model type'),
    vocabSize,
    contextLength: r.number(CONTEXT, 'context length', 'positive-int'),
    bosTokenId,
    eosTokenId,
    padTokenId,
    numLabels: 1,
    numParameters: r.number(['num_parameters'], 'parameter count', 'positive-int', true),
    inputFormat: optionalString(raw, 'input_format', 'input format', file),
    promptTemplate: optionalString(raw, 'prompt_template', 'prompt template', file),
    raw,
  };
}

export function parseMoeLMConfig(raw: Json, file: string): MoeLMModelConfig {
  const base = parseCausalLMConfig(raw, file);
  const r = new FieldReader(file, [raw]);
  const numExperts = r.number(['num_experts', 'num_local_experts'], 'number of experts', 'positive-int');
  const topK = r.number(['num_experts_per_tok'], 'experts per token (top-k)', 'positive-int');
  if (topK > numExperts) {
    throw new InvalidModelConfigError(
      file,
      `num_experts_per_tok (${topK}) must be at most num_experts (${numExperts})`,
    );
  }
  const norm = raw.norm_topk_prob;
  if (norm !== undefined && typeof norm !== 'boolean') {
    throw new InvalidModelConfigError(
      file,
      `norm_topk_prob must be true or false, got ${JSON.stringify(norm)}`,
    );
  }
  const routing = (raw.routing ?? {}) as Json;
  const floor = typeof routing.override_floor === 'number' ? routing.override_floor : 1e-10;
  return { ...base, kind: 'moe-lm', numExperts, topK, normTopkProb: norm === true, overrideFloor: floor };
}
