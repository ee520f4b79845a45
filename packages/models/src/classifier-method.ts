// The instance contract the CLIP test-time methods implement (zero-shot, TPT, STS, DiffTPT), exported here so
// the methods, the bench and the CLI agree on one shape.
import type { PluginInstance } from '@attune/registry';
import type { tf } from '@attune/tensor';
import type { RawImage } from './raw-image.js';
import type { VisionLanguageModel } from './vision-language-model.js';

export interface ClassifyInput {
  readonly image: RawImage;
  readonly classNames: readonly string[];
  /**
   * Views in [0,1], [N,3,H,W], view 0 = the original (un-augmented, centre-cropped) image. When absent the
   * method computes them from `image` with its own augmentation settings. The caller keeps ownership.
   */
  readonly views?: tf.Tensor4D;
}

export interface ClassifyResult {
  /** classNames[index]. */
  readonly prediction: string;
  readonly index: number;
  /** Softmax over the classes, in classNames order. */
  readonly probs: number[];
  /** The (up to) five most probable classes, most probable first. */
  readonly top5: { label: string; prob: number }[];
  readonly adaptation: {
    /** Marginal entropy (or view-0 entropy, as the method states) before and after adapting. */
    readonly entropyBefore?: number;
    readonly entropyAfter?: number;
    /** Views kept by confidence selection. */
    readonly viewsKept?: number;
    /** Optimisation steps taken. */
    readonly steps?: number;
    /** Wall time per stage in milliseconds, e.g. { views: 12, encode: 30, adapt: 210, predict: 4 }. */
    readonly ms: Record<string, number>;
  };
}

export interface ImageClassifierMethod extends PluginInstance {
  readonly model: VisionLanguageModel;
  /** Where it ran, e.g. 'onnxruntime-node cpu (2 threads) + tfjs wasm'. */
  readonly backend: string;
  classify(input: ClassifyInput, options?: { seed?: number }): Promise<ClassifyResult>;
}

/** Builds probs, top-5 and the prediction from one row of logits [C] (numerically stable softmax). */
export function summarizeLogits(
  logits: ArrayLike<number>,
  classNames: readonly string[],
): Pick<ClassifyResult, 'prediction' | 'index' | 'probs' | 'top5'> {
  if (logits.length !== classNames.length) {
    throw new Error(`expected ${classNames.length} logits (one per class), got ${logits.length}`);
  }
  if (logits.length === 0) throw new Error('expected at least one logit, got none');
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  if (!Number.isFinite(max)) throw new Error(`logits must be finite, got a maximum of ${max}`);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const total = exps.reduce((s, v) => s + v, 0);
  const probs = exps.map((v) => v / total);
  let index = 0;
  for (let i = 1; i < probs.length; i++) if (logits[i]! > logits[index]!) index = i;
  const top5 = probs
    .map((prob, i) => ({ label: classNames[i]!, prob, i }))
    .sort((a, b) => b.prob - a.prob || a.i - b.i)
    .slice(0, 5)
    .map(({ label, prob }) => ({ label, prob }));
  return { prediction: classNames[index]!, index, probs, top5 };
}
