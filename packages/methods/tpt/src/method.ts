// The CLIP classifiers that tune their prompt context on every test image (episodic): TPT here, and the
// extension point that methods built on TPT (DiffTPT) use to bring their own views and view filter.

import {
  backendLabel,
  buildTestTimeViews,
  checkClassifyInput,
  elapsedSince,
  encodeViews,
  SerialQueue,
} from '@attune/clip-kit';
import type { ClassifyInput, ClassifyResult, ImageClassifierMethod } from '@attune/contracts';
import { checkClassNames, type VisionLanguageModel } from '@attune/models';
import type { tf } from '@attune/tensor';
import type { TptConfig } from './config.js';
import { EpisodicPrompt, type EpisodicPromptOptions } from './episodic-prompt.js';
import { confidenceSelector, type ViewSelector } from './tpt.js';
import { tuneAndPredict } from './tune-and-predict.js';

/** What an episode needs from a method's config: the prompt's settings and the number of AdamW steps. */
export type EpisodeConfig = Omit<EpisodicPromptOptions, 'seed'> & { readonly steps: number };

/** A sample's views, ready to tune on. */
export interface Episode {
  /** Raw image features of every view [N,D], view 0 (the image) first. Disposed by the caller. */
  readonly features: tf.Tensor2D;
  /** The view filter of step 1. */
  readonly select: ViewSelector;
}

/**
 * The shared part of every prompt-tuning classifier: input checks, one call at a time per instance,
 * episodic reset, tuning, prediction from view 0, and disposal.
 *
 * Extension point: a method built on TPT subclasses this and implements `episode` (its views and its view
 * filter); it may also extend `checkInput` and `disposeExtras`. It never reimplements tuning or prediction.
 */
export abstract class EpisodicTuningClassifier<
  Config extends EpisodeConfig,
  Input extends ClassifyInput<tf.Tensor4D> = ClassifyInput<tf.Tensor4D>,
> implements ImageClassifierMethod<VisionLanguageModel, tf.Tensor4D>
{
  protected readonly prompt: EpisodicPrompt;
  private readonly queue = new SerialQueue();
  private disposed = false;

  constructor(
    /** The plugin's name, for messages. */
    protected readonly methodName: string,
    readonly model: VisionLanguageModel,
    readonly config: Config,
    /** Seed of the views when a call gives none, and of a random context init. */
    protected readonly seed: number,
  ) {
    this.prompt = new EpisodicPrompt(model, { ...config, seed });
  }

  /** The sample's view features and the view filter (see Episode). `ms` receives stage timings. */
  protected abstract episode(input: Input, seed: number, ms: Record<string, number>): Promise<Episode>;

  /** Checks an input before it is queued; subclasses add their own fields' checks. */
  protected checkInput(input: Input): void {
    checkClassifyInput(input);
  }

  /** Frees what a subclass holds besides the prompt and the model (runs in the queue, once). */
  protected async disposeExtras(): Promise<void> {}

  get backend(): string {
    return backendLabel(this.model, 'model');
  }

  /**
   * Does ahead what the first call with these classes does once and keeps: their prompts' token embeddings
   * and, above classChunk classes, their text features at the initial context.
   */
  async prepareClasses(classNames: readonly string[]): Promise<void> {
    checkClassNames(classNames);
    this.assertOpen();
    await this.queue.run(() => this.prompt.prepare(classNames));
  }

  async classify(input: Input, options: { seed?: number } = {}): Promise<ClassifyResult> {
    this.checkInput(input);
    return this.queue.run(() => this.classifyNow(input, options.seed ?? this.seed));
  }

  private async classifyNow(input: Input, seed: number): Promise<ClassifyResult> {
    this.assertOpen();
    const ms: Record<string, number> = {};
    const { features, select } = await this.episode(input, seed, ms);
    try {
      return await tuneAndPredict({
        method: this.methodName,
        model: this.model,
        prompt: this.prompt,
        features,
        classNames: input.classNames,
        steps: this.config.steps,
        select,
        ms,
      });
    } finally {
      features.dispose();
    }
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error(`this ${this.methodName} instance has been disposed`);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.run(async () => {
      this.prompt.dispose();
      await this.disposeExtras();
      await this.model.dispose();
    });
  }
}

/** TPT: the image and its augmented views, the most confident `selection` of them tuned on. */
export class TptClassifier extends EpisodicTuningClassifier<TptConfig> {
  constructor(model: VisionLanguageModel, config: TptConfig, seed: number) {
    super('tpt', model, config, seed);
  }

  protected async episode(
    input: ClassifyInput<tf.Tensor4D>,
    seed: number,
    ms: Record<string, number>,
  ): Promise<Episode> {
    const { config, model } = this;
    const select = confidenceSelector(config.selection);
    let start = performance.now();
    if (input.views) {
      const features = await encodeViews(model, input.views);
      ms.encode = elapsedSince(start);
      return { features, select };
    }
    const views = await buildTestTimeViews(model, input.image, {
      views: config.views,
      seed,
      augmix: config.augmix,
      resize: config.viewResize,
    });
    ms.views = elapsedSince(start);
    start = performance.now();
    try {
      const features = await encodeViews(model, views);
      ms.encode = elapsedSince(start);
      return { features, select };
    } finally {
      views.dispose();
    }
  }
}
