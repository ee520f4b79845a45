// Zero-shot CLIP classification: logits = exp(logit_scale) · normalise(f(image)) @ Z0ᵀ, where Z0 [C,D] are
// the class prototypes (one template, or the mean of normalised text features over a template ensemble,
// renormalised). No adaptation; only the image itself (view 0) is encoded.

import { backendLabel, checkClassifyInput } from '@attune/clip-kit';
import {
  type ClassifyInput,
  type ClassifyResult,
  type ImageClassifierMethod,
  summarizeLogits,
} from '@attune/contracts';
import type { VisionLanguageModel } from '@attune/models';
import { tf } from '@attune/tensor';

/** The pixels of view 0, normalised for the image tower [1,3,S,S]: input.views[0] when given, else preprocess(image). */
function view0Pixels(model: VisionLanguageModel, input: ClassifyInput<tf.Tensor4D>): tf.Tensor4D {
  const { views } = input;
  if (views !== undefined) {
    return tf.tidy(() => model.normalizeViews(tf.slice(views, [0, 0, 0, 0], [1, -1, -1, -1])));
  }
  return tf.tidy(() => tf.expandDims(model.preprocess(input.image), 0) as tf.Tensor4D);
}

const now = (): number => performance.now();
/** Milliseconds to two decimals. */
const ms = (from: number, to: number): number => Math.round((to - from) * 100) / 100;

export class ZeroShotClassifier implements ImageClassifierMethod<VisionLanguageModel, tf.Tensor4D> {
  constructor(
    readonly model: VisionLanguageModel,
    /** The prompt templates; one for `zeroshot`, several for `zeroshot-ensemble`. */
    readonly templates: readonly string[],
  ) {}

  get backend(): string {
    return backendLabel(this.model);
  }

  /** Zero-shot is deterministic: the seed is accepted for the common contract and not used. */
  async classify(
    input: ClassifyInput<tf.Tensor4D>,
    _options: { seed?: number } = {},
  ): Promise<ClassifyResult> {
    checkClassifyInput(input);
    const t0 = now();
    const prototypes = await this.model.classPrototypes(input.classNames, this.templates);
    const t1 = now();
    const pixels = view0Pixels(this.model, input);
    let features: tf.Tensor2D;
    try {
      features = await this.model.encodeImages(pixels);
    } finally {
      pixels.dispose();
    }
    const t2 = now();
    const logits = tf.tidy(() => this.model.logits(features, prototypes));
    features.dispose();
    const values = logits.dataSync();
    logits.dispose();
    const summary = summarizeLogits(values, input.classNames);
    const t3 = now();
    return {
      ...summary,
      adaptation: { steps: 0, ms: { prototypes: ms(t0, t1), encode: ms(t1, t2), predict: ms(t2, t3) } },
    };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
