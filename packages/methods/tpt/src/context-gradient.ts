// The gradient of a loss on the prompts' text features with respect to the context vectors ctx, from one of
// two runtimes. tfjs: TPT's one taped pass through the text encoder when the class set is small, else the same
// gradient chunk by chunk (text features without the tape, the loss's gradient with respect to them, then per
// chunk a taped pass and its vector-Jacobian product into ctx). onnx: the text features from onnxruntime's
// forward session and the chunks' vector-Jacobian products from the model's VJP graph. One function, so the
// tuning loop (tpt.ts) does not know which ran.
import type { PromptParts, VisionLanguageModel } from '@attune/models';
import { tf } from '@attune/tensor';
import { textFeaturesInChunks, textFeaturesVjp } from './class-chunks.js';
import { type OnnxTextModel, textFeaturesOnnx, textFeaturesVjpOnnx } from './onnx-chunks.js';

/**
 * What tuning needs from a model: the differentiable text encoder and CLIP scoring, and for the 'onnx'
 * runtime the onnxruntime text encoder and its VJP graph.
 */
export type PromptTuningModel = TextEncoderModel & Pick<VisionLanguageModel, 'logits'>;

/** The text encoder alone: tfjs's differentiable one, and onnxruntime's where the model has it. */
export type TextEncoderModel = Pick<VisionLanguageModel, 'encodeTextEmbeds'> & Partial<OnnxTextModel>;

/** Where the text encoder's passes and their gradients run (resolved from `gradients: 'auto'`). */
export type TextRuntime = 'tfjs' | 'onnx';

export interface ContextGradientOptions {
  /** Prompts per pass of the text encoder (resolved: a number). */
  readonly classChunk: number;
  /** Raw text features [C,D] at ctx's current value, when the caller has them (chunked paths only). */
  readonly textFeatures?: tf.Tensor2D;
  /** Default 'tfjs'. */
  readonly runtime?: TextRuntime;
}

export interface StepGradient {
  readonly value: tf.Scalar;
  /** d(loss)/d(ctx) [n,W]. */
  readonly grad: tf.Tensor;
}

/** The loss `objective(textFeatures(ctx))` and its gradient with respect to ctx. The caller disposes both. */
export async function contextGradient(
  model: PromptTuningModel,
  parts: PromptParts,
  ctx: tf.Variable<tf.Rank.R2>,
  objective: (text: tf.Tensor2D) => tf.Scalar,
  options: ContextGradientOptions,
): Promise<StepGradient> {
  const { classChunk, textFeatures, runtime = 'tfjs' } = options;
  // One taped pass needs the tape: on tfjs, and only while all prompts fit one chunk.
  return runtime === 'tfjs' && parts.prefix.shape[0] <= classChunk
    ? onePassStep(model, parts, ctx, objective)
    : chunkedStep(runtime, model, parts, ctx, objective, classChunk, textFeatures);
}

/**
 * The text features [C,D] of the prompts around ctx, without a gradient, on the chosen runtime. The caller
 * disposes them.
 */
export async function textFeaturesOn(
  runtime: TextRuntime,
  model: TextEncoderModel,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  classChunk: number,
): Promise<tf.Tensor2D> {
  if (runtime === 'onnx') return textFeaturesOnnx(model, parts, ctx, classChunk);
  return tf.tidy(() => textFeaturesInChunks(model, parts, ctx, classChunk));
}

/** All prompts in one pass with the gradient tape, back-propagated to ctx (TPT's own step). */
function onePassStep(
  model: PromptTuningModel,
  parts: PromptParts,
  ctx: tf.Variable<tf.Rank.R2>,
  objective: (text: tf.Tensor2D) => tf.Scalar,
): StepGradient {
  const classes = parts.prefix.shape[0];
  const { value, grads } = tf.variableGrads(
    () => objective(textFeaturesInChunks(model, parts, ctx, classes)),
    [ctx],
  );
  return { value, grad: grads[ctx.name]! };
}

/**
 * The same gradient, chunk by chunk, on `runtime`: text features [C,D] without the tape (or `given`), the
 * loss and its gradient with respect to them on the small head, then the chunks' vector-Jacobian products
 * into ctx (tfjs's tape per chunk, or onnxruntime's VJP graph).
 */
async function chunkedStep(
  runtime: TextRuntime,
  model: PromptTuningModel,
  parts: PromptParts,
  ctx: tf.Variable<tf.Rank.R2>,
  objective: (text: tf.Tensor2D) => tf.Scalar,
  classChunk: number,
  given: tf.Tensor2D | undefined,
): Promise<StepGradient> {
  const text = given ?? (await textFeaturesOn(runtime, model, parts, ctx, classChunk));
  let upstream: tf.Tensor2D | undefined;
  try {
    const { value, grad } = tf.valueAndGrad(objective)(text);
    upstream = grad as tf.Tensor2D;
    try {
      const intoCtx =
        runtime === 'onnx'
          ? await textFeaturesVjpOnnx(model, parts, ctx, upstream, classChunk)
          : textFeaturesVjp(model, parts, ctx, upstream, classChunk);
      return { value, grad: intoCtx };
    } catch (error) {
      value.dispose();
      throw error;
    }
  } finally {
    upstream?.dispose();
    if (text !== given) text.dispose();
  }
}
