// The `difftpt` plugin: TPT with diffusion-generated views and DiffTPT's view filter, episodic.

import { buildTestTimeViews, elapsedSince, encodeViews } from '@attune/clip-kit';
import { CAPABILITY, type ClassifyInput } from '@attune/contracts';
import { type Episode, EpisodicTuningClassifier } from '@attune/method-tpt';
import {
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

/**
 * DiffTPT on TPT's extension point (EpisodicTuningClassifier): its views are view 0, the augmented views
 * and the generated ones; its filter is DiffTPT's. Tuning, prediction, queueing and reset are TPT's.
 */
export class DiffTptClassifier extends EpisodicTuningClassifier<DiffTptConfig, DiffTptInput> {
  private variationModel: Promise<ImageVariationModel> | undefined;

  constructor(
    model: VisionLanguageModel,
    config: DiffTptConfig,
    seed: number,
    /** Loads the image-variation model (on the first call that needs generated views). */
    private readonly loadVariationModel: (source: string) => Promise<ImageVariationModel>,
  ) {
    super('difftpt', model, config, seed);
  }

  protected override checkInput(input: DiffTptInput): void {
    super.checkInput(input);
    if (input.generatedViews !== undefined) checkGeneratedViews(input.generatedViews);
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

  protected async episode(input: DiffTptInput, seed: number, ms: Record<string, number>): Promise<Episode> {
    const { config, model } = this;
    const owned: tf.Tensor[] = [];
    try {
      let start = performance.now();
      let views = input.views;
      if (!views) {
        views = await buildTestTimeViews(model, input.image, {
          views: 1 + config.augmentedViews,
          seed,
          augmix: config.augmix,
          resize: config.viewResize,
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
      const features = tf.concat([conventional, diffusion]) as tf.Tensor2D;
      ms.encode = elapsedSince(start);
      const layout: ViewLayout = { augmented: views.shape[0] - 1, generated: generated.shape[0] };
      try {
        const select =
          config.filter === 'code'
            ? codeSelector(config.cosineSelection, config.selection)
            : paperSelector(features, layout, config.cosineSelection, config.selection);
        return { features, select };
      } catch (error) {
        features.dispose();
        throw error;
      }
    } finally {
      tf.dispose(owned);
    }
  }

  protected override async disposeExtras(): Promise<void> {
    const generator = await this.variationModel?.catch(() => undefined);
    await generator?.dispose();
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
