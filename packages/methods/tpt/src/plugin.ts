// The `tpt` plugin: a CLIP image classifier that tunes its prompt context on every test image (episodic).

import type { ClassifyInput, ClassifyResult, ImageClassifierMethod } from '@attune/contracts';
import { CAPABILITY } from '@attune/contracts';
import { checkClassNames, createVisionLanguageModel, type VisionLanguageModel } from '@attune/models';
import { definePlugin } from '@attune/registry';
import type { tf } from '@attune/tensor';
import { checkClassifyInput, elapsedSince, SerialQueue } from './classify-call.js';
import { type TptConfig, tptConfig } from './config.js';
import { EpisodicPrompt } from './episodic-prompt.js';
import { confidenceSelector } from './tpt.js';
import { tuneAndPredict } from './tune-and-predict.js';
import { augmentedViews, encodeViews } from './views.js';

export class TptClassifier implements ImageClassifierMethod<VisionLanguageModel, tf.Tensor4D> {
  private readonly prompt: EpisodicPrompt;
  private readonly queue = new SerialQueue();
  private disposed = false;

  constructor(
    readonly model: VisionLanguageModel,
    readonly config: TptConfig,
    /** Seed of the views when a call gives none, and of a random context init. */
    private readonly seed: number,
  ) {
    this.prompt = new EpisodicPrompt(model, { ...config, seed });
  }

  get backend(): string {
    const { inference, gradients } = this.model.backends;
    return `${inference} + ${gradients}`;
  }

  /**
   * Does ahead what the first call with these classes does once and keeps: their prompts' token embeddings
   * and, above classChunk classes, their text features at the initial context.
   */
  async prepareClasses(classNames: readonly string[]): Promise<void> {
    checkClassNames(classNames);
    if (this.disposed) throw new Error('this tpt instance has been disposed');
    await this.queue.run(() => this.prompt.prepare(classNames));
  }

  async classify(
    input: ClassifyInput<tf.Tensor4D>,
    options: { seed?: number } = {},
  ): Promise<ClassifyResult> {
    checkClassifyInput(input);
    return this.queue.run(() => this.classifyNow(input, options.seed ?? this.seed));
  }

  private async classifyNow(input: ClassifyInput<tf.Tensor4D>, seed: number): Promise<ClassifyResult> {
    if (this.disposed) throw new Error('this tpt instance has been disposed');
    const { config, model } = this;
    const ms: Record<string, number> = {};
    let start = performance.now();
    let features: tf.Tensor2D;
    if (input.views) {
      features = await encodeViews(model, input.views);
    } else {
      const views = augmentedViews(model, input.image, { views: config.views, seed, augmix: config.augmix });
      ms.views = elapsedSince(start);
      start = performance.now();
      try {
        features = await encodeViews(model, views);
      } finally {
        views.dispose();
      }
    }
    ms.encode = elapsedSince(start);
    try {
      return await tuneAndPredict({
        model,
        prompt: this.prompt,
        features,
        classNames: input.classNames,
        steps: config.steps,
        select: confidenceSelector(config.selection),
        ms,
      });
    } finally {
      features.dispose();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.run(async () => {
      this.prompt.dispose();
      await this.model.dispose();
    });
  }
}

export const tptPlugin = definePlugin({
  name: 'tpt',
  kind: 'method',
  version: '0.1.0',
  description:
    'Test-time prompt tuning (Shu et al., NeurIPS 2022): tunes 4 context vectors on the marginal entropy of the 10% most confident of 64 augmented views, one AdamW step per image, then predicts the original view.',
  config: tptConfig,
  needs: [CAPABILITY.visionLanguage, CAPABILITY.inputGrad],
  provides: [CAPABILITY.imageClassification, CAPABILITY.testTimeAdaptation],
  create: async (config, context) => {
    // Through the registry: whichever installed plugin provides 'vision-language' loads the model.
    const model = await createVisionLanguageModel(
      'tpt',
      { source: config.model, tfjsBackend: config.tfjsBackend },
      context,
    );
    return new TptClassifier(model, config, context.seed ?? config.seed);
  },
});

export default tptPlugin;
