/**
 * Typed views of a model folder's config.json, for zoo models and for Hugging Face CLIP exports.
 * HF CLIP configs keep most sizes under text_config / vision_config and image statistics in
 * preprocessor_config.json, so every field falls back through those places.
 */
import { InvalidModelConfigError } from './errors.js';
import { FieldReader, isObject, type Json } from './field-reader.js';
import type { CausalLMModelConfig, MoeLMModelConfig, RewardModelConfig } from './lm-config.js';
import { MODEL_TYPES, type ModelKind } from './model-layout.js';

/** OpenAI CLIP's normalisation statistics (also what the zoo's mini-CLIP expects). */
export const CLIP_IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_IMAGE_STD = [0.26862954, 0.26130258, 0.27577711] as const;
/** ln(100): every OpenAI CLIP checkpoint ends training with exp(logit_scale) clamped at 100. */
export const CLIP_TRAINED_LOGIT_SCALE = Math.log(100);

export interface ClipModelConfig {
  readonly kind: 'clip';
  readonly modelType: string;
  readonly projectionDim: number;
  /** The raw (natural-log) logit scale; logits = exp(logitScale) * cosine similarity. */
  readonly logitScale: number;
  /** exp(logitScale), e.g. 100 for OpenAI CLIP. */
  readonly logitScaleExp: number;
  /** Where logitScale came from: a zoo config states it; HF configs only hold the *initial* value. */
  readonly logitScaleSource:
    | 'config.logit_scale'
    | 'default: ln(100), the trained OpenAI CLIP value'
    | 'model.onnx initializer logit_scale';
  readonly imageSize: number;
  readonly imageMean: readonly number[];
  readonly imageStd: readonly number[];
  /** preprocessor_config.json's resampling filter (PIL codes: 2 bilinear, 3 bicubic); undefined if unstated. */
  readonly resample: 'bilinear' | 'bicubic' | undefined;
  readonly contextLength: number;
  readonly hiddenSize: number | undefined;
  readonly padTokenId: number | undefined;
  readonly sotTokenId: number | undefined;
  readonly eotTokenId: number | undefined;
  /**
   * Where the text tower pools, as transformers decides it from text_config.eos_token_id: 'argmax' of the
   * ids for the legacy value 2 (openai/clip-* configs), else the first end token.
   */
  readonly pooling: 'argmax' | 'first-eos';
  /** Class names per dataset, when the model ships them (zoo models do). */
  readonly classNames: Readonly<Record<string, readonly string[]>> | undefined;
  /** Prompt templates with "{}" for the class name. */
  readonly singleTemplate: string;
  readonly ensembleTemplates: readonly string[] | undefined;
  readonly raw: Json;
}

export interface ImageVariationConfig {
  readonly kind: 'image-variation';
  readonly modelType: string;
  readonly imageSize: number;
  readonly channels: number;
  readonly numTrainTimesteps: number;
  readonly betas: readonly number[];
  readonly condDim: number;
  /** The model whose normalised image embedding conditions the denoiser, e.g. "zoo:mini-clip". */
  readonly conditionModel: string;
  readonly guidanceScale: number;
  readonly ddimSteps: number;
  readonly ddimEta: number;
  /** Clip the x0 estimate to [-1, 1] at every step (config ddim.clip_sample; default true). */
  readonly clipSample: boolean;
  /**
   * Re-derive eps from the clipped x0 before the update, as GLIDE does (config
   * ddim.use_clipped_model_output, diffusers' name; default false as in diffusers). zoo:mini-diffusion sets it.
   */
  readonly useClippedModelOutput: boolean;
  readonly raw: Json;
}

export type ModelConfig =
  | ClipModelConfig
  | ImageVariationConfig
  | CausalLMModelConfig
  | RewardModelConfig
  | MoeLMModelConfig;

/**
 * The model kind named by config.json's model_type. A Hugging Face decoder type (gpt2, llama, ...) whose
 * `architectures` name a `*ForSequenceClassification` head is a reward model, otherwise a causal LM.
 */
export function modelKindOf(raw: unknown, file: string): ModelKind {
  if (!isObject(raw)) throw new InvalidModelConfigError(file, 'expected a JSON object');
  const type = raw.model_type;
  const kind = typeof type === 'string' ? MODEL_TYPES[type] : undefined;
  if (!kind) {
    throw new InvalidModelConfigError(
      file,
      `model_type ${JSON.stringify(type)} is not supported; expected one of ${Object.keys(MODEL_TYPES)
        .map((t) => `"${t}"`)
        .join(', ')}`,
    );
  }
  const architectures = Array.isArray(raw.architectures) ? raw.architectures : [];
  const classifier = architectures.some(
    (a) => typeof a === 'string' && a.endsWith('ForSequenceClassification'),
  );
  if (kind === 'causal-lm' && classifier) return 'reward-model';
  return kind;
}

/**
 * Parse a CLIP config. `preprocessor` is the folder's preprocessor_config.json when present (HF keeps
 * image_mean / image_std / crop_size there).
 */
export function parseClipConfig(raw: Json, file: string, preprocessor?: Json): ClipModelConfig {
  const r = new FieldReader(file, preprocessor ? [raw, preprocessor] : [raw]);
  const resample = checkPreprocessor(preprocessor, file);
  const hasLogitScale = typeof raw.logit_scale === 'number';
  const logitScale = hasLogitScale
    ? r.number(['logit_scale'], 'logit scale', 'finite')
    : CLIP_TRAINED_LOGIT_SCALE;
  const classNames = raw.class_names;
  const ensemble = raw.ensemble_templates;
  return {
    kind: 'clip',
    modelType: r.string(['model_type'], 'model type'),
    projectionDim: r.number(
      ['projection_dim', 'text_config.projection_dim'],
      'embedding size',
      'positive-int',
    ),
    logitScale,
    logitScaleExp: Math.exp(logitScale),
    logitScaleSource: hasLogitScale
      ? 'config.logit_scale'
      : 'default: ln(100), the trained OpenAI CLIP value',
    imageSize: r.number(
      ['image_size', 'vision_config.image_size', 'crop_size.height', 'crop_size', 'size.shortest_edge'],
      'image size',
      'positive-int',
    ),
    imageMean: r.numbers(['image_mean'], 'image mean', 3, CLIP_IMAGE_MEAN),
    imageStd: r.numbers(['image_std'], 'image std', 3, CLIP_IMAGE_STD),
    resample,
    contextLength: r.number(
      ['context_length', 'text_config.max_position_embeddings', 'max_position_embeddings'],
      'context length',
      'positive-int',
    ),
    hiddenSize: r.number(['hidden_size', 'text_config.hidden_size'], 'text width', 'positive-int', true),
    padTokenId: r.number(['pad_token_id', 'text_config.pad_token_id'], 'pad token id', 'finite', true),
    sotTokenId: r.number(
      ['sot_token_id', 'bos_token_id', 'text_config.bos_token_id'],
      'start token id',
      'finite',
      true,
    ),
    eotTokenId: r.number(
      ['eot_token_id', 'eos_token_id', 'text_config.eos_token_id'],
      'end token id',
      'finite',
      true,
    ),
    pooling:
      r.number(['text_config.eos_token_id', 'eos_token_id'], 'text eos token id', 'finite', true) === 2
        ? 'argmax'
        : 'first-eos',
    // Keyed by the data package's dataset names ("fashion-mnist"): config files may spell them with "_".
    classNames: isObject(classNames)
      ? Object.fromEntries(
          Object.entries(classNames as Record<string, string[]>).map(([k, v]) => [k.replaceAll('_', '-'), v]),
        )
      : undefined,
    singleTemplate: r.string(['single_template'], 'single template', 'a photo of a {}.'),
    ensembleTemplates: Array.isArray(ensemble) ? (ensemble as string[]) : undefined,
    raw,
  };
}

const PIL_FILTERS: Readonly<Record<number, 'bilinear' | 'bicubic'>> = { 2: 'bilinear', 3: 'bicubic' };

/**
 * What of a CLIPImageProcessor config attune follows (resize the shorter side, centre crop, rescale,
 * normalise with image_mean/std, the resample filter), refusing settings it would otherwise ignore.
 */
function checkPreprocessor(preprocessor: Json | undefined, file: string): 'bilinear' | 'bicubic' | undefined {
  if (!preprocessor) return undefined;
  const where = file.replace(/config\.json$/, 'preprocessor_config.json');
  const size = preprocessor.size;
  const crop = preprocessor.crop_size;
  const shortest = isObject(size) ? size.shortest_edge : typeof size === 'number' ? size : undefined;
  const cropSide = isObject(crop) ? crop.height : typeof crop === 'number' ? crop : undefined;
  if (typeof shortest === 'number' && typeof cropSide === 'number' && shortest !== cropSide) {
    throw new InvalidModelConfigError(
      where,
      `resizes the shorter side to ${shortest} and crops ${cropSide}; attune's CLIP preprocessing resizes to the crop size, so expected size.shortest_edge == crop_size`,
    );
  }
  for (const flag of ['do_resize', 'do_center_crop', 'do_normalize', 'do_convert_rgb'] as const) {
    if (preprocessor[flag] === false) {
      throw new InvalidModelConfigError(
        where,
        `${flag} is false; attune's CLIP preprocessing always does it (expected true or absent)`,
      );
    }
  }
  const factor = preprocessor.rescale_factor;
  if (typeof factor === 'number' && Math.abs(factor - 1 / 255) > 1e-9) {
    throw new InvalidModelConfigError(
      where,
      `rescale_factor is ${factor}; expected 1/255 (0.00392156862745098)`,
    );
  }
  const resample = preprocessor.resample;
  if (resample === undefined) return undefined;
  const filter = typeof resample === 'number' ? PIL_FILTERS[resample] : undefined;
  if (!filter) {
    throw new InvalidModelConfigError(
      where,
      `resample ${JSON.stringify(resample)} is not supported; expected 2 (bilinear) or 3 (bicubic)`,
    );
  }
  return filter;
}

export function parseImageVariationConfig(raw: Json, file: string): ImageVariationConfig {
  const r = new FieldReader(file, [raw]);
  const numTrainTimesteps = r.number(['num_train_timesteps'], 'number of diffusion steps', 'positive-int');
  const betas = r.numbers(['betas'], 'noise schedule', numTrainTimesteps);
  const bad = betas.findIndex((b) => !(b > 0 && b < 1));
  if (bad >= 0) {
    throw new InvalidModelConfigError(file, `betas[${bad}] must be in (0, 1), got ${betas[bad]}`);
  }
  const ddimSteps = r.number(['ddim.steps'], 'default DDIM steps', 'positive-int');
  if (ddimSteps > numTrainTimesteps) {
    throw new InvalidModelConfigError(
      file,
      `ddim.steps (${ddimSteps}) must be at most num_train_timesteps (${numTrainTimesteps})`,
    );
  }
  return {
    kind: 'image-variation',
    modelType: r.string(['model_type'], 'model type'),
    imageSize: r.number(['image_size'], 'image size', 'positive-int'),
    channels: r.number(['channels'], 'image channels', 'positive-int'),
    numTrainTimesteps,
    betas,
    condDim: r.number(['cond_dim'], 'condition size', 'positive-int'),
    conditionModel: r.string(['condition_model'], 'conditioning model'),
    guidanceScale: r.number(['guidance_scale'], 'classifier-free guidance scale', 'finite'),
    ddimSteps,
    ddimEta: r.number(['ddim.eta'], 'DDIM eta', 'finite'),
    clipSample: r.boolean(['ddim.clip_sample'], 'x0 clipping', true),
    useClippedModelOutput: r.boolean(['ddim.use_clipped_model_output'], 'eps re-derivation', false),
    raw,
  };
}
