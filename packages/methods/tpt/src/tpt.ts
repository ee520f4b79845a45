// Test-Time Prompt Tuning (Shu et al., NeurIPS 2022; github.com/azshue/TPT, tpt_classification.py
// `test_time_tuning`, clip/custom_clip.py `PromptLearner`, `ClipTestTimeTuning`), on tensors.
//
// Per test image, with the frozen CLIP towers:
//   image features of the N views (view 0 = the image, the rest augmented), computed once, no gradient;
//   prompt_c = [SOT] ctx_1..ctx_n tokens("<class>.") [EOT] pad, ctx [n,W] shared by all classes;
//   logits = logitScale · norm(img) @ norm(text(prompt))ᵀ for all views;
//   step 1 keeps the int(N · 0.1) lowest-entropy views; every step's loss is the marginal entropy of the
//   kept views' logits (later steps reuse the same views); AdamW on ctx only, the gradient flowing back
//   through the whole text encoder;
//   predict from view 0's logits with the tuned ctx.
//
// How the gradient reaches ctx (one taped pass, chunk by chunk, on tfjs or on onnxruntime's VJP graphs) is
// behind contextGradient (context-gradient.ts); the loop below is the paper's. DiffTPT reuses it with its own
// view filter.
import type { PromptParts } from '@attune/models';
import { type AdamW, marginalEntropy, selectConfidentViews, tagPhase, tf } from '@attune/tensor';
import { type ClassChunk, classChunkOf, DEFAULT_CLASS_CHUNK, textFeaturesInChunks } from './class-chunks.js';
import {
  contextGradient,
  type PromptTuningModel,
  type TextRuntime,
  textFeaturesOn,
} from './context-gradient.js';

/**
 * Raw text features [C,D] of the prompts built around `ctx`, `classChunk` prompts per pass of the text
 * encoder (the same rows as one pass); differentiable with respect to ctx.
 */
export function promptTextFeatures(
  model: PromptTuningModel,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  classChunk: ClassChunk = DEFAULT_CLASS_CHUNK,
): tf.Tensor2D {
  return textFeaturesInChunks(model, parts, ctx, classChunk);
}

/**
 * CLIP logits [N,C] of image features [N,D] (raw: they are normalised here) against the prompts built around
 * `ctx` (ClipTestTimeTuning.inference). Differentiable with respect to ctx.
 */
export function promptLogits(
  model: PromptTuningModel,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  imageFeatures: tf.Tensor2D,
  classChunk: ClassChunk = DEFAULT_CLASS_CHUNK,
): tf.Tensor2D {
  return tf.tidy(() => model.logits(imageFeatures, promptTextFeatures(model, parts, ctx, classChunk)));
}

/**
 * Chooses the views the loss is computed on, from the first step's logits of all views [N,C]; returns row
 * indices into those logits. Called once per sample; later steps reuse its answer.
 */
export type ViewSelector = (logits: tf.Tensor2D) => number[];

/** TPT's select_confident_samples: the int(N · fraction) lowest-entropy views, most confident first. */
export function confidenceSelector(fraction: number): ViewSelector {
  return (logits) => selectConfidentViews(logits, fraction);
}

export interface PromptTuningOptions {
  readonly model: PromptTuningModel;
  readonly parts: PromptParts;
  /** Raw image features of all views [N,D], view 0 first. */
  readonly viewFeatures: tf.Tensor2D;
  /** The context vectors [n,W], tuned in place. */
  readonly ctx: tf.Variable<tf.Rank.R2>;
  /** An AdamW over ctx (episodic callers reset it before every sample). */
  readonly optimizer: AdamW;
  /** AdamW steps, >= 1. */
  readonly steps: number;
  /**
   * The view filter of step 1 (TPT: confidenceSelector(0.1)), or the rows to use, chosen beforehand: then
   * every step computes the logits of those rows only.
   */
  readonly select: ViewSelector | readonly number[];
  /**
   * Prompts per pass of the text encoder, or 'auto' (the default; see CLASS_CHUNK_TOKEN_BUDGET). With
   * C <= classChunk a step is one pass with the gradient tape, as TPT's. Otherwise: the text features of all
   * C prompts without the tape, the loss's gradient with respect to them, then per chunk a taped pass and its
   * vector-Jacobian product into d/dctx. The same gradient; memory holds one chunk's activations instead of
   * C prompts'.
   */
  readonly classChunk?: ClassChunk;
  /**
   * Raw text features [C,D] of the prompts at ctx's value on entry, when the caller has them: the chunked
   * path's first step then skips its pass without the tape. Episodic callers reset ctx to the same init
   * before every sample, so these are the same for every sample of a class set. Not disposed here.
   */
  readonly textFeatures?: tf.Tensor2D;
  /**
   * Where the text encoder's passes and their gradients run: 'tfjs' (the default; the executor's tape) or
   * 'onnx' (onnxruntime's forward session and the model's VJP graph, chunk by chunk). The same gradient.
   */
  readonly runtime?: TextRuntime;
}

export interface PromptTuningResult {
  /** Rows of viewFeatures the loss was computed on, in the selector's order. */
  readonly kept: readonly number[];
  /** The loss (marginal entropy of the kept views) before each step; losses[0] is the entropy before tuning. */
  readonly losses: readonly number[];
}

/**
 * TPT's test_time_tuning: `steps` AdamW steps on ctx, each minimising the marginal entropy of the kept views'
 * logits. Step 1 computes the logits of all views, lets `select` pick the views, and differentiates the loss
 * of those; later steps compute the kept views only (the rows TPT indexes out of its full logits). With the
 * kept rows given instead of a selector, every step computes those rows only. The text encoder runs
 * `classChunk` prompts at a time (see PromptTuningOptions.classChunk).
 */
export async function tunePrompt(options: PromptTuningOptions): Promise<PromptTuningResult> {
  const { model, parts, viewFeatures, ctx, optimizer, steps, select, runtime = 'tfjs' } = options;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be an integer >= 1, got ${steps}`);
  const classChunk = classChunkOf(options.classChunk ?? DEFAULT_CLASS_CHUNK, parts);
  if (viewFeatures.rank !== 2 || viewFeatures.shape[0] < 1) {
    throw new Error(`expected view features [N,D] with N >= 1, got [${viewFeatures.shape.join(',')}]`);
  }
  const classes = parts.prefix.shape[0];
  const given = options.textFeatures;
  if (given && (given.rank !== 2 || given.shape[0] !== classes || given.shape[1] !== viewFeatures.shape[1])) {
    throw new Error(
      `expected text features [${classes},${viewFeatures.shape[1]}] (one row per prompt), got [${given.shape.join(',')}]`,
    );
  }
  const views = viewFeatures.shape[0];
  let kept = typeof select === 'function' ? undefined : checkSelection([...select], views);
  let keptFeatures = kept ? tf.gather(viewFeatures, kept) : undefined;
  // The loss as a function of the raw text features [C,D]; step 1 with a selector also picks the views.
  const objective = (text: tf.Tensor2D): tf.Scalar => {
    if (keptFeatures) return marginalEntropy(model.logits(keptFeatures, text));
    const logits = model.logits(viewFeatures, text);
    kept = checkSelection((select as ViewSelector)(logits), views);
    return marginalEntropy(tf.gather(logits, kept));
  };
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const { value, grad } = await contextGradient(model, parts, ctx, objective, {
        classChunk,
        runtime,
        ...(step === 0 && given ? { textFeatures: given } : {}),
      });
      try {
        losses.push(value.dataSync()[0]!);
        optimizer.step({ [ctx.name]: grad });
      } finally {
        value.dispose();
        grad.dispose();
      }
      if (!keptFeatures && steps > 1) keptFeatures = tf.gather(viewFeatures, kept!);
    }
  } catch (error) {
    tagPhase(error, `step ${losses.length + 1} of ${steps}`);
  } finally {
    keptFeatures?.dispose();
  }
  return { kept: kept!, losses };
}

export function checkSelection(indices: number[], views: number): number[] {
  if (!Array.isArray(indices) || indices.length === 0) {
    throw new Error(`the view selection is empty; expected at least one row index in [0, ${views})`);
  }
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= views) {
      throw new Error(`the view selection holds row ${i}; expected row indices in [0, ${views})`);
    }
  }
  return indices;
}

export interface TunedPrediction {
  /** View 0's logits [C] with the tuned ctx (what TPT predicts from). */
  readonly logits: Float32Array;
  /** Marginal entropy of the kept views' logits with the tuned ctx. */
  readonly entropyAfter: number;
}

/**
 * The prediction after tuning: view 0's logits, and the kept views' marginal entropy, from one pass of the
 * text encoder with the tuned ctx (`classChunk` prompts at a time), on `runtime` (no gradient is needed).
 */
export async function predictAfterTuning(
  model: PromptTuningModel,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  viewFeatures: tf.Tensor2D,
  kept: readonly number[],
  classChunk: ClassChunk = DEFAULT_CLASS_CHUNK,
  runtime: TextRuntime = 'tfjs',
): Promise<TunedPrediction> {
  const text = await textFeaturesOn(runtime, model, parts, ctx, classChunkOf(classChunk, parts));
  const [view0, entropy] = tf.tidy(() => {
    const logits = model.logits(tf.gather(viewFeatures, [0, ...kept]), text);
    const keptLogits = tf.slice(logits, [1, 0], [kept.length, -1]) as tf.Tensor2D;
    return [tf.reshape(tf.slice(logits, [0, 0], [1, -1]), [-1]), marginalEntropy(keptLogits)];
  });
  try {
    return { logits: view0!.dataSync() as Float32Array, entropyAfter: entropy!.dataSync()[0]! };
  } finally {
    tf.dispose([text, view0!, entropy!]);
  }
}
