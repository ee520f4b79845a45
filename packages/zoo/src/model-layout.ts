/**
 * Which files a model folder of each kind holds, where they may live (Hugging Face / transformers.js
 * folders keep ONNX files in onnx/, plain exports at the top level) and the input/output names each
 * graph must expose.
 */

export type ModelKind = 'clip' | 'image-variation';

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
    signature: { inputs: ['pixel_values'], outputs: ['image_embeds'] },
  },
  {
    role: 'textModel',
    candidates: onnxCandidates('text_model.onnx'),
    purpose: 'text tower',
    required: true,
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

export const FILES_BY_KIND: Readonly<Record<ModelKind, readonly FileSpec[]>> = {
  clip: CLIP_FILES,
  'image-variation': IMAGE_VARIATION_FILES,
};

/** config.json `model_type` values and the kind each one means. */
export const MODEL_TYPES: Readonly<Record<string, ModelKind>> = {
  clip: 'clip',
  'ddpm-image-variation': 'image-variation',
};
