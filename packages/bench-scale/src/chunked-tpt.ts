// An estimate of TPT's per-sample cost at a C where TPT itself does not fit: the same text-encoder passes,
// run over the C prompts in chunks that fit.
//
// TPT's step is one forward pass of the text encoder over all C prompts with the gradient tape on, and one
// backward pass to the context vectors; its prediction is one more forward pass over all C prompts. The
// attune TPT plugin does each over all C prompts at once, so its tfjs memory grows by ~0.3 GiB per class and
// C = 200 does not fit in tfjs-wasm's 4 GiB heap. Here the same work is done chunk by chunk with method-tpt's
// own functions (promptLogits under tf.variableGrads, predictAfterTuning): the operations and their sizes
// per prompt are TPT's; what differs is that each chunk's loss is its own marginal entropy (the value does
// not change the cost) and that matmuls over chunk·77 rows run instead of over C·77 rows. It is labelled an
// estimate everywhere it is reported.
import { predictAfterTuning, promptLogits } from '@attune/method-tpt';
import type { PromptParts, VisionLanguageModel } from '@attune/models';
import { marginalEntropy, tf } from '@attune/tensor';

export interface ChunkedPassTimes {
  /** Σ over chunks of the forward pass with the tape + backward to ctx (TPT's step). */
  readonly stepMs: number;
  /** Σ over chunks of the forward pass of TPT's prediction (view 0 + the kept views). */
  readonly predictMs: number;
  readonly chunks: number;
}

/** Splits class names into chunks of at most `size`. */
export function chunkClassNames(classNames: readonly string[], size: number): string[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`chunk size must be an integer >= 1, got ${size}`);
  const chunks: string[][] = [];
  for (let i = 0; i < classNames.length; i += size) chunks.push(classNames.slice(i, i + size));
  return chunks;
}

/**
 * One sample's TPT text-encoder work over `parts` (one PromptParts per chunk), given the raw image features
 * of its views [N,D]: per chunk, logits of all N views through the prompts built around ctx, their marginal
 * entropy, d/dctx; then per chunk, the prediction pass over view 0 and `kept`.
 */
export function chunkedTptPasses(
  model: VisionLanguageModel,
  parts: readonly PromptParts[],
  ctx: tf.Variable<tf.Rank.R2>,
  viewFeatures: tf.Tensor2D,
  kept: readonly number[],
): ChunkedPassTimes {
  let start = performance.now();
  let gradient: tf.Tensor | undefined;
  for (const chunk of parts) {
    const { value, grads } = tf.variableGrads(
      () => marginalEntropy(promptLogits(model, chunk, ctx, viewFeatures)),
      [ctx],
    );
    const g = grads[ctx.name]!;
    const sum: tf.Tensor = gradient ? tf.add(gradient, g) : g.clone();
    gradient?.dispose();
    gradient = sum;
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  }
  gradient?.dataSync(); // the accumulated d/dctx, as an optimizer step would read it
  gradient?.dispose();
  const stepMs = performance.now() - start;
  start = performance.now();
  for (const chunk of parts) predictAfterTuning(model, chunk, ctx, viewFeatures, kept);
  return { stepMs, predictMs: performance.now() - start, chunks: parts.length };
}
