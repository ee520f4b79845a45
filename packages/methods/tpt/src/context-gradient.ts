// The gradient of a loss on the prompts' text features with respect to the context vectors ctx: TPT's one
// taped pass through the text encoder when the class set is small, else the same gradient chunk by chunk
// (text features without the tape, the loss's gradient with respect to them, then per chunk a taped pass
// and its vector-Jacobian product into ctx). One function, so the tuning loop does not know which ran and
// another gradient source (e.g. onnxruntime VJP graphs) can be plugged in here.
import type { PromptParts, VisionLanguageModel } from '@attune/models';
import { tf } from '@attune/tensor';
import { textFeaturesInChunks, textFeaturesVjp } from './class-chunks.js';

/** What the gradient needs from a model: the differentiable text encoder and CLIP scoring. */
export type PromptTuningModel = Pick<VisionLanguageModel, 'encodeTextEmbeds' | 'logits'>;

export interface ContextGradientOptions {
  /** Prompts per pass of the text encoder (resolved: a number). */
  readonly classChunk: number;
  /** Raw text features [C,D] at ctx's current value, when the caller has them (chunked path only). */
  readonly textFeatures?: tf.Tensor2D;
}

export interface StepGradient {
  readonly value: tf.Scalar;
  /** d(loss)/d(ctx) [n,W]. */
  readonly grad: tf.Tensor;
}

/** The loss `objective(textFeatures(ctx))` and its gradient with respect to ctx. The caller disposes both. */
export function contextGradient(
  model: PromptTuningModel,
  parts: PromptParts,
  ctx: tf.Variable<tf.Rank.R2>,
  objective: (text: tf.Tensor2D) => tf.Scalar,
  options: ContextGradientOptions,
): StepGradient {
  const classes = parts.prefix.shape[0];
  return classes <= options.classChunk
    ? onePassStep(model, parts, ctx, objective)
    : chunkedStep(model, parts, ctx, objective, options.classChunk, options.textFeatures);
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
 * The same gradient, chunk by chunk: text features [C,D] without the tape (or `given`), the loss and its
 * gradient with respect to them on the small head, then the chunks' vector-Jacobian products into ctx.
 */
function chunkedStep(
  model: PromptTuningModel,
  parts: PromptParts,
  ctx: tf.Variable<tf.Rank.R2>,
  objective: (text: tf.Tensor2D) => tf.Scalar,
  classChunk: number,
  given: tf.Tensor2D | undefined,
): StepGradient {
  const text = given ?? textFeaturesInChunks(model, parts, ctx, classChunk);
  let upstream: tf.Tensor2D | undefined;
  try {
    const { value, grad } = tf.valueAndGrad(objective)(text);
    upstream = grad as tf.Tensor2D;
    try {
      return { value, grad: textFeaturesVjp(model, parts, ctx, upstream, classChunk) };
    } catch (error) {
      value.dispose();
      throw error;
    }
  } finally {
    upstream?.dispose();
    if (text !== given) text.dispose();
  }
}
