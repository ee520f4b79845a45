// tunePrompt and predictAfterTuning with the text encoder on onnxruntime: every pass that needs no gradient
// (text features, the prediction) runs the forward session, and d(loss)/d(ctx) comes from the model's VJP
// graph, chunk by chunk. The loss, the view selection and AdamW are tpt.ts's, on the small [C,D] head in tfjs.
import type { GradientBackend, PromptParts } from '@attune/models';
import { marginalEntropy, tagPhase, tf } from '@attune/tensor';
import { type ClassChunk, classChunkOf, DEFAULT_CLASS_CHUNK } from './class-chunks.js';
import type { PromptTuningModel } from './context-gradient.js';
import { type OnnxTextModel, textFeaturesOnnx, textFeaturesVjpOnnx } from './onnx-chunks.js';
import {
  checkSelection,
  type PromptTuningOptions,
  type PromptTuningResult,
  type TunedPrediction,
  type ViewSelector,
} from './tpt.js';

export type OnnxTuningModel = PromptTuningModel &
  OnnxTextModel & {
    onnxGradientSupport?(): Promise<{ readonly supported: boolean; readonly missing: readonly string[] }>;
  };

/**
 * Where a method's text gradients come from: 'tfjs' as asked; 'onnx' as asked (failing, naming the ops, when
 * the model's text encoder has an op without a VJP rule); 'auto' = 'onnx' when every op has a rule.
 */
export async function resolveGradients(
  model: Partial<OnnxTuningModel>,
  choice: GradientBackend,
): Promise<'onnx' | 'tfjs'> {
  if (choice === 'tfjs') return 'tfjs';
  const support = model.onnxGradientSupport ? await model.onnxGradientSupport() : undefined;
  if (choice === 'auto') return support?.supported ? 'onnx' : 'tfjs';
  if (!support)
    throw new Error(
      "gradients: 'onnx' needs a model with an onnxruntime text encoder (onnxGradientSupport); use 'tfjs' or 'auto'",
    );
  if (!support.supported) {
    throw new Error(
      `gradients: 'onnx' cannot differentiate this text encoder: no VJP rule for ${support.missing.join(', ')}; use 'tfjs' or 'auto'`,
    );
  }
  return 'onnx';
}

/** tunePrompt (same options, same result) with the text encoder's passes on onnxruntime. */
export async function tunePromptOnnx(
  options: PromptTuningOptions & { readonly model: OnnxTuningModel },
): Promise<PromptTuningResult> {
  const { model, parts, viewFeatures, ctx, optimizer, steps, select } = options;
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
  const objective = (text: tf.Tensor2D): tf.Scalar => {
    if (keptFeatures) return marginalEntropy(model.logits(keptFeatures, text));
    const logits = model.logits(viewFeatures, text);
    kept = checkSelection((select as ViewSelector)(logits), views);
    return marginalEntropy(tf.gather(logits, kept));
  };
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const text = step === 0 && given ? given : await textFeaturesOnnx(model, parts, ctx, classChunk);
      let upstream: tf.Tensor | undefined;
      let value: tf.Scalar | undefined;
      let grad: tf.Tensor2D | undefined;
      try {
        ({ value, grad: upstream } = tf.valueAndGrad(objective)(text));
        grad = await textFeaturesVjpOnnx(model, parts, ctx, upstream as tf.Tensor2D, classChunk);
        losses.push(value.dataSync()[0]!);
        optimizer.step({ [ctx.name]: grad });
      } finally {
        tf.dispose([upstream, value, grad].filter((t): t is tf.Tensor => t !== undefined));
        if (text !== given) text.dispose();
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

/** predictAfterTuning with the text features from onnxruntime. */
export async function predictAfterTuningOnnx(
  model: PromptTuningModel & OnnxTextModel,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  viewFeatures: tf.Tensor2D,
  kept: readonly number[],
  classChunk: ClassChunk = DEFAULT_CLASS_CHUNK,
): Promise<TunedPrediction> {
  const text = await textFeaturesOnnx(model, parts, ctx, classChunk);
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
