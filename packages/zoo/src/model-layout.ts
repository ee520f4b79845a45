/**
 * Which files a model folder of each kind holds, where they may live (Hugging Face / transformers.js
 * folders keep ONNX files in onnx/, plain exports at the top level) and the input/output names each
 * graph must expose.
 */

export type ModelKind = 'clip' | 'image-variation' | 'causal-lm' | 'reward-model' | 'moe-lm';

export interface OnnxSignature {
  /** Inputs the graph must have (it may have more, e.g. attention_mask in some HF exports). */
  readonly inputs: readonly string[];
  /** Outputs the graph must have (it may have more, e.g. last_hidden_state). */
  readonly outputs: readonly string[];
}

export interface FileSpec {
  readonly role: string;
  /** Relative paths tried in order; the first is the canonical location. */
  readonly candidates: readonly string[];
  /** What the file is for, used in error messages ("no text tower: expected ..."). */
  readonly purpose: string;
  readonly required: boolean;
  readonly signature?: OnnxSignature;
  /** A CLIP tower that may instead be cut out of a combined onnx/model.onnx (see COMBINED_CLIP_FILE). */
  readonly inCombined?: boolean;
}

const onnxCandidates = (name: string) => [`onnx/${name}`, name];

export const CLIP_FILES: readonly FileSpec[] = [
  {
    role: 'config',
    candidates: ['config.json'],
    purpose: 'model configuration (sizes, logit scale, token ids)',
    required: true,
  },
  { role: 'tokenizer', candidates: ['tokenizer.json'], purpose: 'tokenizer', required: true },
  {
    role: 'visionModel',
    candidates: onnxCandidates('vision_model.onnx'),
    purpose: 'image tower',
    required: true,
    inCombined: true,
    signature: { inputs: ['pixel_values'], outputs: ['image_embeds'] },
  },
  {
    role: 'textModel',
    candidates: onnxCandidates('text_model.onnx'),
    purpose: 'text tower',
    required: true,
    inCombined: true,
    signature: { inputs: ['input_ids'], outputs: ['text_embeds'] },
  },
  {
    role: 'textModelEmbeds',
    candidates: onnxCandidates('text_model_embeds.onnx'),
    purpose: 'text tower over input embeddings (the gradient entry point prompt tuning needs)',
    required: false,
    signature: { inputs: ['inputs_embeds', 'eot_index'], outputs: ['text_embeds'] },
  },
  {
    role: 'tokenEmbedding',
    candidates: onnxCandidates('token_embedding.onnx'),
    purpose: 'token-embedding table (initialises prompt context vectors)',
    required: false,
    signature: { inputs: ['input_ids'], outputs: ['inputs_embeds'] },
  },
];

/**
 * Optimum's CLIPModel export: both towers in one graph (input_ids, pixel_values -> text_embeds,
 * image_embeds, logits_per_image). A folder holding it needs no separate tower files: @attune/models cuts
 * them out by graph surgery.
 */
export const COMBINED_CLIP_FILE: FileSpec = {
  role: 'combinedModel',
  candidates: onnxCandidates('model.onnx'),
  purpose: 'combined CLIP model (both towers in one graph)',
  required: false,
  signature: { inputs: ['input_ids', 'pixel_values'], outputs: ['text_embeds', 'image_embeds'] },
};

export const IMAGE_VARIATION_FILES: readonly FileSpec[] = [
  {
    role: 'config',
    candidates: ['config.json'],
    purpose: 'model configuration (noise schedule, sampler settings)',
    required: true,
  },
  {
    role: 'denoiser',
    candidates: onnxCandidates('denoiser.onnx'),
    purpose: 'denoiser (noise prediction network)',
    required: true,
    signature: { inputs: ['x_t', 't', 'cond'], outputs: ['eps'] },
  },
];

/**
 * A decoder LM in the Hugging Face / transformers.js decoder layout: one graph with a key/value cache
 * (past_key_values.{i}.key/.value in, present.{i}.key/.value out). Zoo models name it onnx/model.onnx;
 * optimum's merged export names it decoder_model_merged.onnx.
 */
export const CAUSAL_LM_FILES: readonly FileSpec[] = [
  {
    role: 'config',
    candidates: ['config.json'],
    purpose: 'model configuration (sizes, context length, token ids)',
    required: true,
  },
  { role: 'tokenizer', candidates: ['tokenizer.json'], purpose: 'tokenizer', required: true },
  {
    role: 'decoder',
    candidates: [...onnxCandidates('model.onnx'), ...onnxCandidates('decoder_model_merged.onnx')],
    purpose: 'decoder with key/value cache',
    required: true,
    signature: { inputs: ['input_ids', 'attention_mask'], outputs: ['logits'] },
  },
  {
    role: 'decoderEmbeds',
    candidates: onnxCandidates('model_embeds.onnx'),
    purpose: 'decoder over input embeddings (the gradient entry point soft prompts need)',
    required: false,
    signature: { inputs: ['inputs_embeds', 'attention_mask'], outputs: ['logits'] },
  },
  {
    role: 'tokenEmbedding',
    candidates: onnxCandidates('embed_tokens.onnx'),
    purpose: 'token-embedding table (input_ids -> inputs_embeds)',
    required: false,
    signature: { inputs: ['input_ids'], outputs: ['inputs_embeds'] },
  },
];

/**
 * A mixture-of-experts decoder LM for test-time routing methods (C3PO): the decoder layout above plus the
 * router softmax per layer as an output and a routing override (per-layer weights at the last position of
 * the call, replacing the router distribution before top-k) as an input. See recipes/attune_recipes/moe.py.
 */
export const MOE_LM_FILES: readonly FileSpec[] = [
  {
    role: 'config',
    candidates: ['config.json'],
    purpose: 'model configuration (sizes, experts, top-k, token ids)',
    required: true,
  },
  { role: 'tokenizer', candidates: ['tokenizer.json'], purpose: 'tokenizer', required: true },
  {
    role: 'decoder',
    candidates: onnxCandidates('model.onnx'),
    purpose: 'MoE decoder with key/value cache, router probabilities and a routing-override input',
    required: true,
    signature: {
      inputs: ['input_ids', 'attention_mask', 'position_ids', 'routing_override', 'routing_override_layers'],
      outputs: ['logits', 'router_probs', 'routing_weights', 'last_hidden_state'],
    },
  },
];

/** A sequence-classification export with one label: a scalar score per (right-padded) sequence. */
export const REWARD_MODEL_FILES: readonly FileSpec[] = [
  {
    role: 'config',
    candidates: ['config.json'],
    purpose: 'model configuration (context length, token ids, input format)',
    required: true,
  },
  { role: 'tokenizer', candidates: ['tokenizer.json'], purpose: 'tokenizer', required: true },
  {
    role: 'scorer',
    candidates: onnxCandidates('model.onnx'),
    purpose: 'reward scorer (sequence classification, one label)',
    required: true,
    signature: { inputs: ['input_ids', 'attention_mask'], outputs: ['logits'] },
  },
];

export const FILES_BY_KIND: Readonly<Record<ModelKind, readonly FileSpec[]>> = {
  clip: CLIP_FILES,
  'image-variation': IMAGE_VARIATION_FILES,
  'causal-lm': CAUSAL_LM_FILES,
  'reward-model': REWARD_MODEL_FILES,
  'moe-lm': MOE_LM_FILES,
};

/**
 * config.json `model_type` values and the kind each one means. Hugging Face decoder types map to
 * 'causal-lm'; the same types with a `*ForSequenceClassification` architecture are reward models
 * (see modelKindOf).
 */
export const MODEL_TYPES: Readonly<Record<string, ModelKind>> = {
  clip: 'clip',
  'ddpm-image-variation': 'image-variation',
  'attune-gpt': 'causal-lm',
  'attune-gpt-reward': 'reward-model',
  'attune-moe': 'moe-lm',
  gpt2: 'causal-lm',
  gpt_neox: 'causal-lm',
  llama: 'causal-lm',
  mistral: 'causal-lm',
  qwen2: 'causal-lm',
  phi3: 'causal-lm',
};
