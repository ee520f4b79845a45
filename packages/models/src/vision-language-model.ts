// The contract every CLIP test-time method (zero-shot, TPT, STS, DiffTPT) is written against.

import type {
  InterleavedBytes,
  PlanarBytes,
  ResizeRequest,
  ViewsGraphPlan,
  ViewsTensor,
} from '@attune/backend-onnx';
import type { RawImage } from '@attune/contracts';
import type { tf } from '@attune/tensor';
import type { ClipModelConfig } from '@attune/zoo';
import type { PreprocessPlan } from './clip-preprocess.js';
import type { TokenizedBatch } from './clip-tokenizer.js';
import type { PaddingMode } from './padding-check.js';
import type { PromptParts } from './prompt-parts.js';

export interface PromptPartsOptions {
  /** Words the context vectors start from, e.g. "a photo of a" (TPT's ctx_init). */
  readonly initText?: string;
  /** Number of context vectors when there is no init text (random N(0, 0.02²) init). Default 4. */
  readonly nCtx?: number;
  /** Seed of the random init (only used without initText). Default 0. */
  readonly seed?: number;
  /**
   * The prompts' sequence length: 'auto' (default) cuts every batch after its last end token when the text
   * tower was measured to ignore the padding (once per model, see padding-check.ts) and keeps the full
   * context otherwise; 'trim' cuts without measuring; 'full' keeps the context length (as TPT's code does).
   */
  readonly padding?: PaddingMode;
}

export interface ModelBackends {
  /** e.g. 'onnxruntime-node cpu (2 threads)'. */
  readonly inference: string;
  /** e.g. 'tfjs wasm': the tfjs backend the differentiable text encoder runs on. */
  readonly gradients: string;
  /** How prompt batches are padded: 'full context', or 'cut after EOT (measured exact)' once measured. */
  readonly textPadding: string;
}

export interface VisionLanguageModel {
  /** 'zoo:mini-clip', or the folder path it was loaded from. */
  readonly source: string;
  readonly config: ClipModelConfig;
  /** Input side S of the image tower. */
  readonly imageSize: number;
  /** D: size of image and text features (the projection). */
  readonly embedDim: number;
  /** W: width of the token embeddings (text transformer width). */
  readonly tokenEmbedDim: number;
  /** exp(logit_scale), e.g. 100. */
  readonly logitScale: number;
  /** L: the text context length. */
  readonly contextLength: number;

  /** CLIP's preprocessing of one image: [3,S,S], normalised. The caller owns the tensor. */
  preprocess(image: RawImage): tf.Tensor3D;
  /** What preprocess does to this image (resize, crop) as data and as a one-line note. */
  preprocessPlan(image: Pick<RawImage, 'width' | 'height'>): PreprocessPlan;
  /**
   * PIL's bilinear (default) or bicubic `Image.resize` of a planar 8-bit image [C,H,W] in onnxruntime (for
   * test-time views; see @attune/backend-onnx resize-graph.ts), when the model has a native backend.
   */
  resizeBytesNative?(request: ResizeRequest): Promise<PlanarBytes>;
  /**
   * TPT's test-time views of an 8-bit photo from a plan (@attune/data's planViews) in one onnxruntime call
   * ([views,3,S,S] in [0,1]; see @attune/backend-onnx views-graph.ts), when the model has a native backend.
   */
  buildViewsNative?(photo: InterleavedBytes, plan: ViewsGraphPlan): Promise<ViewsTensor>;
  /** Views in [0,1] [N,3,H,W] -> [N,3,S,S] normalised (resized first when H,W != S). */
  normalizeViews(views: tf.Tensor4D): tf.Tensor4D;
  /** Raw (unnormalised) image features [N,D] from normalised pixels [N,3,S,S]; onnxruntime, batched. */
  encodeImages(pixels: tf.Tensor4D): Promise<tf.Tensor2D>;
  /** Raw text features [T,D]; onnxruntime, batched. */
  encodeTexts(texts: readonly string[]): Promise<tf.Tensor2D>;
  /**
   * L2-normalised class prototypes [C,D]: per class the mean over templates of normalised text features,
   * renormalised. Cached per (classes, templates); the cache owns the tensor (do not dispose it).
   */
  classPrototypes(classNames: readonly string[], templates: readonly string[]): Promise<tf.Tensor2D>;
  /** [SOT] tokens [EOT] pad, each row of the context length; over-long texts truncated with EOT last. */
  tokenize(texts: readonly string[]): TokenizedBatch;
  /** Token embeddings [count, L, W] of row-major ids [count, L]. */
  tokenEmbeddings(ids: Int32Array, count: number): Promise<tf.Tensor3D>;
  /** TPT's PromptLearner layout (see PromptParts). Also loads the differentiable text encoder. */
  promptParts(classNames: readonly string[], options?: PromptPartsOptions): Promise<PromptParts>;
  /** Loads the differentiable text encoder (done by promptParts too); encodeTextEmbeds needs it. */
  prepareGradients(): Promise<void>;
  /**
   * Differentiable text encoder (tfjs): inputs_embeds [C,L',W] (L' <= L, no positional embeddings added) and
   * eotIndex int32 [C] -> raw text features [C,D]. Works inside tf.grad / tf.valueAndGrads.
   */
  encodeTextEmbeds(inputsEmbeds: tf.Tensor3D, eotIndex: tf.Tensor1D): tf.Tensor2D;
  /** The text encoder over inputs_embeds on onnxruntime, no gradient (when the model has it). */
  encodeTextEmbedsOnnx?(inputsEmbeds: tf.Tensor3D, eotIndex: tf.Tensor1D): Promise<tf.Tensor2D>;
  /** d⟨upstream [C,D], text features⟩ / d inputs_embeds from an onnxruntime VJP graph (when the model has it). */
  textEmbedsVjp?(
    inputsEmbeds: tf.Tensor3D,
    eotIndex: tf.Tensor1D,
    upstream: tf.Tensor2D,
  ): Promise<tf.Tensor3D>;
  /** Whether textEmbedsVjp can run: every op on the text encoder's path has a VJP rule. */
  onnxGradientSupport?(): Promise<{ readonly supported: boolean; readonly missing: readonly string[] }>;
  /** logitScale * normalize(image) @ normalize(text)^T: [N,C]. */
  logits(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D): tf.Tensor2D;
  readonly backends: ModelBackends;
  /**
   * Frees cached prototypes and the tfjs graph at once; the promise settles when the onnxruntime backend the
   * model created (if it did) is released.
   */
  dispose(): void | Promise<void>;
}
