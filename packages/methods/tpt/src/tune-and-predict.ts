// One episode of prompt tuning on a sample's view features, as both TPT and DiffTPT run it: reset the
// context and optimizer for the class set, tune, predict from view 0, and report what adaptation did.

import { elapsedSince } from '@attune/clip-kit';
import { type ClassifyResult, summarizeLogits } from '@attune/contracts';
import type { VisionLanguageModel } from '@attune/models';
import { explainDivergence, type tf } from '@attune/tensor';
import { TPT_LR } from './config.js';
import type { EpisodicPrompt } from './episodic-prompt.js';
import { predictAfterTuning, tunePrompt, type ViewSelector } from './tpt.js';

export interface EpisodeOptions {
  /** The method's name, for errors (tpt, difftpt). */
  readonly method: string;
  readonly model: VisionLanguageModel;
  readonly prompt: EpisodicPrompt;
  /** Image features of every view [N,D], view 0 first. */
  readonly features: tf.Tensor2D;
  readonly classNames: readonly string[];
  readonly steps: number;
  readonly select: ViewSelector;
  /** Stage timings so far (views, encode, ...); tune and predict are added. */
  readonly ms: Record<string, number>;
}

export async function tuneAndPredict(options: EpisodeOptions): Promise<ClassifyResult> {
  try {
    return await tuneAndPredictNow(options);
  } catch (error) {
    // NaN or Inf in the logits: almost always an lr far too large for the model's scale.
    throw explainDivergence(error, {
      method: options.method,
      phase: `the prediction after ${options.steps} step${options.steps === 1 ? '' : 's'}`,
      settings: { lr: options.prompt.optimizer.paramGroups[0]!.lr },
      defaults: { lr: TPT_LR },
    });
  }
}

async function tuneAndPredictNow(options: EpisodeOptions): Promise<ClassifyResult> {
  const { model, prompt, features, classNames, steps, select, ms } = options;
  let start = performance.now();
  const parts = await prompt.partsFor(classNames);
  prompt.reset(parts);
  const runtime = await prompt.gradientBackend();
  const textFeatures = await prompt.initialTextFeatures();
  const { kept, losses } = await tunePrompt({
    model,
    parts,
    viewFeatures: features,
    ctx: prompt.ctx,
    optimizer: prompt.optimizer,
    steps,
    select,
    classChunk: prompt.classChunk,
    runtime,
    ...(textFeatures ? { textFeatures } : {}),
  });
  ms.tune = elapsedSince(start);
  start = performance.now();
  const { logits, entropyAfter } = await predictAfterTuning(
    model,
    parts,
    prompt.ctx,
    features,
    kept,
    prompt.classChunk,
    runtime,
  );
  ms.predict = elapsedSince(start);
  return {
    ...summarizeLogits(logits, classNames),
    adaptation: { entropyBefore: losses[0]!, entropyAfter, viewsKept: kept.length, steps, ms },
  };
}
