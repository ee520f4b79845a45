// The `difftpt` plugin: TPT with diffusion-generated views and DiffTPT's view filter, episodic.
import {
  CAPABILITY,
  type ClassifyInput,
  type ClassifyResult,
  type ImageClassifierMethod,
} from '@attune/contracts';
import {
  augmentedViews,
  checkClassifyInput,
  EpisodicPrompt,
  elapsedSince,
  encodeViews,
  SerialQueue,
  tuneAndPredict,
} from '@attune/method-tpt';
import {
  checkClassNames,
  createImageVariationModel,
  createVisionLanguageModel,
  type ImageVariationModel,
  type VisionLanguageModel,
} from '@attune/models';
import { definePlugin } from '@attune/registry';
import { tf } from '@attune/tensor';
import { type DiffTptConfig, difftptConfig } from './config.js';
import { codeSelector, paperSelector, type ViewLayout } from './difftpt.js';
import { checkGeneratedViews, readVariationFolder } from './variations.js';

export interface DiffTptInput extends ClassifyInput<tf.Tensor4D> {
  /** The image's name, for a folder of precomputed variations: `<variationsDir>/<name>_<i>.png`. */
  readonly name?: string;
  /**
   * Generated views [G,3,H,W] in [0,1], replacing the configured source. `views` (when given) holds view 0
   * and the conventional views. The caller keeps ownership.
   */
  readonly generatedViews?: tf.Tensor4D;
}

export class DiffTptClassifier implements ImageClassifierMethod<VisionLanguageModel, tf.Tensor4D> {
  private readonly prompt: EpisodicPrompt;
  private readonly queue = new SerialQueue();
  private variationModel: Promise<ImageVariationModel> | undefined;
  private disposed = false;

  constructor(
    readonly model: VisionLanguageModel,
    readonly config: DiffTptConfig,
    private readonly seed: number,
    /** Loads the image-variation model (on the first call that needs generated views). */
    private readonly loadVariationModel: (source: string) => Promise<ImageVariationModel>,
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
    if (this.disposed) throw new Error('this difftpt instance has been disposed');
    await this.queue.run(() => this.prompt.prepare(classNames));
  }

  async classify(input: DiffTptInput, options: { seed?: number } = {}): Promise<ClassifyResult> {
    checkClassifyInput(input);
    if (input.generatedViews !== undefined) checkGeneratedViews(input.generatedViews);
    return this.queue.run(() => this.classifyNow(input, options.seed ?? this.seed));
  }

  /**
   * Generated views from the configured source: the variations folder, else the image-variation model
   * (loaded on first use; it conditions on the image embedding of the CLIP model its config names).
   * The caller owns the tensor.
   */
  private async generatedViews(input: DiffTptInput, seed: number): Promise<tf.Tensor4D> {
    const { config, model } = this;
    if (config.variationsDir !== '') {
      return readVariationFolder(
        config.variationsDir,
        input.name ?? '',
        config.generatedViews,
        model.imageSize,
      );
    }
    this.variationModel ??= this.loadVariationModel(config.diffusionModel);
    let generator: ImageVariationModel;
    try {
      generator = await this.variationModel;
    } catch (error) {
      this.variationModel = undefined;
      throw new Error(
        `difftpt cannot generate views with ${config.diffusionModel}: ${(error as Error).message}. Pass generatedViews with the input, or set variationsDir to a folder of <name>_<i>.png variations`,
      );
    }
    return generator.generateVariations(input.image, config.generatedViews, {
      seed,
      guidance: config.guidanceScale,
    });
  }

  private async classifyNow(input: DiffTptInput, seed: number): Promise<ClassifyResult> {
    if (this.disposed) throw new Error('this difftpt instance has been disposed');
    const { config, model } = this;
    const ms: Record<string, number> = {};
    const owned: tf.Tensor[] = [];
    let features: tf.Tensor2D | undefined;
    try {
      let start = performance.now();
      let views = input.views;
      if (!views) {
        views = augmentedViews(model, input.image, {
          views: 1 + config.augmentedViews,
          seed,
          augmix: config.augmix,
        });
        owned.push(views);
        ms.views = elapsedSince(start);
      }
      start = performance.now();
      let generated = input.generatedViews;
      if (!generated) {
        generated = await this.generatedViews(input, seed);
        owned.push(generated);
        ms.generate = elapsedSince(start);
      }
      start = performance.now();
      const conventional = await encodeViews(model, views);
      owned.push(conventional);
      const diffusion = await encodeViews(model, generated);
      owned.push(diffusion);
      features = tf.concat([conventional, diffusion]) as tf.Tensor2D;
      ms.encode = elapsedSince(start);
      const layout: ViewLayout = { augmented: views.shape[0] - 1, generated: generated.shape[0] };

      const select =
        config.filter === 'code'
          ? codeSelector(config.cosineSelection, config.selection)
          : paperSelector(features, layout, config.cosineSelection, config.selection);
      return await tuneAndPredict({
        model,
        prompt: this.prompt,
        features,
        classNames: input.classNames,
        steps: config.steps,
        select,
        ms,
      });
    } finally {
      features?.dispose();
      tf.dispose(owned);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.run(async () => {
      this.prompt.dispose();
      const generator = await this.variationModel?.catch(() => undefined);
      await generator?.dispose();
      await this.model.dispose();
    });
  }
}

export const difftptPlugin = definePlugin({
  name: 'difftpt',
  kind: 'method',
  version: '0.1.0',
  description:
    'Diffusion-augmented test-time prompt tuning (Feng et al., ICCV 2023): TPT over the image, 64 crops and 63 diffusion variations, filtered by cosine similarity to the image and by entropy, 4 AdamW steps.',
  config: difftptConfig,
  needs: [CAPABILITY.visionLanguage, CAPABILITY.inputGrad, CAPABILITY.imageVariation],
  provides: [CAPABILITY.imageClassification, CAPABILITY.testTimeAdaptation],
  create: async (config, context) => {
    // Through the registry: the installed 'vision-language' and 'image-variation' providers load the models.
    const model = await createVisionLanguageModel(
      'difftpt',
      { source: config.model, tfjsBackend: config.tfjsBackend },
      context,
    );
    return new DiffTptClassifier(model, config, context.seed ?? config.seed, (source) =>
      createImageVariationModel('difftpt', { source }, context),
    );
  },
});

export default difftptPlugin;
