// DiffTPT's settings. Source: github.com/chunmeifeng/DiffTPT — scripts/do_tpt_difftpt.sh (-b 64,
// --ctx_init a_photo_of_a, --aug_mode difftpt, --selection_cosine 0.8, --selection_selfentro 0.3, --lr 5e-3,
// --tta_steps 4), tpt_classification.py (AugMixAugmenter with n_views = 64 in difftpt mode, so view 0 + 64
// conventional views; 63 diffusion views from the folder; torch.optim.AdamW with torch's defaults) and
// difftpt_utils.py (select_confident_samples_cosine, test_time_tuning_difftpt); Feng et al., ICCV 2023.
// Deliberate differences from the released code:
// - full float32 instead of CUDA autocast (fp16) with a GradScaler;
// - image features are computed once (the code recomputes them, without grad, every step);
// - the paper's filter (its §4.3) is available as `filter: 'paper'`; the code's is the default.
import { checkContextLength, tptFields } from '@attune/method-tpt';
import { z } from '@attune/registry';

// Upper bounds that refuse absurd sizes in the schema, with the range in the error (views 1e9 would
// otherwise fail later as a typed-array allocation): 16× the papers' 64 views; 1,000 steps (the papers: 1-4).
const MAX_VIEWS = 1024;
const MAX_STEPS = 1000;

const {
  model,
  lr,
  weightDecay,
  eps,
  nCtx,
  initText,
  augmix,
  viewResize,
  seed,
  classChunk,
  gradients,
  padding,
  tfjsBackend,
} = tptFields;

export const difftptFields = {
  model,
  /**
   * Conventional views after view 0: RandomResizedCrop + flip, as TPT (the code: AugMixAugmenter with
   * n_views = batch size 64).
   */
  augmentedViews: z.number().int().min(1).max(MAX_VIEWS).default(64),
  /** Diffusion image variations of the test image (the code: batch size − 1 = 63). */
  generatedViews: z.number().int().min(1).max(MAX_VIEWS).default(63),
  /** AdamW steps on the context (DiffTPT: --tta_steps 4); steps 2.. reuse step 1's views. */
  steps: z.number().int().min(1).max(MAX_STEPS).default(4),
  /**
   * Fraction kept by the cosine-similarity filter (--selection_cosine 0.8): of the 127 views after view 0,
   * the int(127 · 0.8) = 101 most similar to view 0.
   */
  cosineSelection: z.number().gt(0).max(1).default(0.8),
  /**
   * Fraction kept by entropy (--selection_selfentro 0.3): of view 0 + the 101, the int(102 · 0.3) = 30 with
   * the lowest entropy.
   */
  selection: z.number().gt(0).max(1).default(0.3),
  /**
   * 'code' (default): one filter over all views — cosine similarity between view 0's logit vector and each
   * other view's, then entropy (difftpt_utils.select_confident_samples_cosine).
   * 'paper': separate filters (the paper's §4.3) — conventional views by entropy only; diffusion views by
   * cosine similarity of their image features to view 0's, then by entropy; the loss uses both survivors.
   */
  filter: z.enum(['code', 'paper']).default('code'),
  /**
   * Where the diffusion views come from when a call does not pass them: '' generates them with the
   * image-variation model `diffusionModel`; a folder path reads `<folder>/<name>_<i>.png` (i = 0..62) for
   * the input's `name`, as the DiffTPT code reads its precomputed Stable Diffusion variations.
   */
  variationsDir: z.string().default(''),
  /** The image-variation model for run-time generation (a zoo id or a folder). */
  diffusionModel: z.string().min(1).default('zoo:mini-diffusion'),
  /** Classifier-free guidance scale of the generation (the paper: 3). */
  guidanceScale: z.number().min(0).default(3),
  /** AdamW learning rate (DiffTPT: 5e-3), weight decay and eps (torch's defaults), as TPT. */
  lr,
  weightDecay,
  eps,
  /** Context vectors and their init words, as TPT ("a photo of a", 4 vectors). */
  nCtx,
  initText,
  /** AugMix on the conventional views (the code: for the fine-grained sets only, as TPT). */
  augmix,
  /** Who resizes the conventional views' crops, as TPT ('onnx': onnxruntime; 'pil': PIL's passes in JS). */
  viewResize,
  /** Seed of the conventional views and of the generation when a call gives none. */
  seed,
  /** Prompts per pass of the text encoder, as TPT: chunked back-propagation, the same gradient. */
  classChunk,
  /** Where text gradients run, as TPT ('auto': onnxruntime's VJP graph when every op has a rule). */
  gradients,
  /** The prompts' sequence length, as TPT ('auto': cut after the last end token when measured exact). */
  padding,
  /** tfjs backend of the differentiable text encoder, as TPT ('auto': the fastest installed). */
  tfjsBackend,
};

export const difftptConfig = z.object(difftptFields).superRefine(checkContextLength);

export type DiffTptConfig = z.output<typeof difftptConfig>;
export type ViewFilter = DiffTptConfig['filter'];
