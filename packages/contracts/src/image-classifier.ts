// The instance contract the image test-time methods implement (zero-shot, TPT, STS, DiffTPT), so the
// methods, suites, the bench and the CLI agree on one shape. It names no tensor library: `Views` is the
// tensor type of precomputed views (a tfjs Tensor4D for the CLIP methods) and `Model` the model the method
// runs on (a VisionLanguageModel for them).
import type { PluginInstance } from '@attune/registry';
import type { RawImage } from './raw-image.js';
import type { CallOptions, LabelProbability, StageTimings } from './results.js';

export interface ClassifyInput<Views = unknown> {
  readonly image: RawImage;
  readonly classNames: readonly string[];
  /**
   * Views in [0,1], [N,3,H,W], view 0 = the original (un-augmented, centre-cropped) image. When absent the
   * method computes them from `image` with its own augmentation settings. The caller keeps ownership.
   */
  readonly views?: Views;
}

export interface ClassifyResult {
  /** classNames[index]. */
  readonly prediction: string;
  readonly index: number;
  /** Softmax over the classes, in classNames order. */
  readonly probs: number[];
  /** The (up to) five most probable classes, most probable first. */
  readonly top5: LabelProbability[];
  readonly adaptation: {
    /** Marginal entropy (or view-0 entropy, as the method states) before and after adapting. */
    readonly entropyBefore?: number;
    readonly entropyAfter?: number;
    /** Views kept by confidence selection. */
    readonly viewsKept?: number;
    /** Optimisation steps taken. */
    readonly steps?: number;
    /** Wall time per stage in milliseconds. */
    readonly ms: StageTimings;
  };
}

export interface ImageClassifierMethod<Model = unknown, Views = unknown> extends PluginInstance {
  readonly model: Model;
  /** Where it ran, e.g. 'onnxruntime-node cpu (2 threads) + tfjs wasm'. */
  readonly backend: string;
  classify(input: ClassifyInput<Views>, options?: CallOptions): Promise<ClassifyResult>;
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
