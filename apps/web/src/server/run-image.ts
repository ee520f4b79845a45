// One image-classification run: the method adapts and predicts; the frozen model's zero-shot prediction
// (the `zeroshot` plugin on the same model and prompt, when installed) is the "before". When the method
// takes `views` and uses plain TPT views (no AugMix), the server draws them itself with @attune/data's
// augmentViews (TPT's protocol, the function the methods call) and hands them over through the contract's
// `views` input, so the grid shows exactly the views the method saw, the kept ones marked.
import { augmentViews, type FloatImage, toInterleavedImage } from '@attune/data';
import type { Registry } from '@attune/registry';
import { tf } from '@attune/tensor';
import { type ClassifyOutput, isImageClassifier } from './contracts.js';
import type { InstanceCache } from './instances.js';
import type { JobContext } from './jobs.js';
import { encodePng, viewImage } from './png.js';

export interface ImageRunInput {
  readonly plugin: string;
  readonly config: Record<string, unknown>;
  readonly image: FloatImage;
  readonly classNames: readonly string[];
  readonly seed: number;
  /** The true class when the image is a bundled sample. */
  readonly label?: string;
}

export interface ImageRunResult {
  readonly contract: 'image-classifier';
  readonly plugin: string;
  readonly backend: string;
  readonly seed: number;
  readonly label: string | null;
  readonly classNames: readonly string[];
  readonly after: Prediction;
  /** The frozen model's zero-shot prediction; null when zeroshot is not installed or is the method itself. */
  readonly before: (Prediction & { readonly plugin: string }) | null;
  readonly entropyBefore: number | null;
  readonly entropyAfter: number | null;
  readonly adaptation: Record<string, unknown>;
  /** Views shown in the grid (file names under /api/jobs/<id>/files/), with the kept indices; null when none. */
  readonly views: { readonly files: string[]; readonly kept: number[] | null; readonly size: number } | null;
}

interface Prediction {
  readonly prediction: string;
  readonly top5: { label: string; prob: number }[];
}

const MAX_SHOWN_VIEWS = 64;

function baselineFor(registry: Registry, plugin: string, config: Record<string, unknown>) {
  if (plugin.startsWith('zeroshot')) return undefined;
  const ensemble = Array.isArray(config.templates);
  const name = ensemble ? 'zeroshot-ensemble' : 'zeroshot';
  if (!registry.has(name)) return undefined;
  const baseline: Record<string, unknown> = {};
  if (typeof config.model === 'string') baseline.model = config.model;
  if (ensemble) baseline.templates = config.templates;
  else if (typeof config.template === 'string') baseline.template = config.template;
  return { name, config: registry.parseConfig(name, baseline) as Record<string, unknown> };
}

const number = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export async function runImageMethod(
  registry: Registry,
  instances: InstanceCache,
  input: ImageRunInput,
  job: JobContext,
): Promise<ImageRunResult> {
  const { plugin, config, seed } = input;
  const total = 3;
  job.progress({ stage: `loading ${plugin}`, done: 0, total });
  const method = await instances.get(plugin, config);
  if (!isImageClassifier(method))
    throw new Error(`${plugin} provides image-classification but has no classify()`);
  const raw = toInterleavedImage(input.image);

  let views: tf.Tensor4D | undefined;
  let viewData: Float32Array | undefined;
  const size = method.model?.imageSize;
  if (typeof config.views === 'number' && config.augmix !== true && typeof size === 'number') {
    const drawn = augmentViews(input.image, { views: config.views, size, seed });
    viewData = drawn.data;
    views = tf.tensor4d(drawn.data, [...drawn.shape]);
  }
  let after: ClassifyOutput;
  try {
    job.progress({ stage: `adapting (${plugin})`, done: 1, total });
    after = await method.classify(
      { image: raw, classNames: input.classNames, ...(views ? { views } : {}) },
      { seed },
    );
  } finally {
    views?.dispose();
  }

  let before: ImageRunResult['before'] = null;
  const baseline = baselineFor(registry, plugin, config);
  if (baseline) {
    job.progress({ stage: `zero-shot baseline (${baseline.name})`, done: 2, total });
    const frozen = await instances.get(baseline.name, baseline.config);
    if (isImageClassifier(frozen)) {
      const out = await frozen.classify({ image: raw, classNames: input.classNames }, { seed });
      before = { plugin: baseline.name, prediction: out.prediction, top5: out.top5 };
    }
  }

  let shown: ImageRunResult['views'] = null;
  if (viewData && typeof size === 'number') {
    const count = Math.min(MAX_SHOWN_VIEWS, viewData.length / (3 * size * size));
    const scale = Math.max(1, Math.floor(96 / size));
    const files = Array.from({ length: count }, (_, i) => {
      const name = `view-${i}.png`;
      job.attach(name, encodePng(viewImage(viewData, i, size), scale));
      return name;
    });
    // Methods that select views report which (STS: adaptation.keptViews, view 0 = the image itself).
    const kept = (after.adaptation as { keptViews?: unknown }).keptViews;
    shown = { files, size, kept: Array.isArray(kept) ? (kept as number[]) : null };
  }
  job.progress({ stage: 'done', done: total, total });
  const { ms, ...rest } = after.adaptation as ClassifyOutput['adaptation'] & Record<string, unknown>;
  return {
    contract: 'image-classifier',
    plugin,
    backend: method.backend,
    seed,
    label: input.label ?? null,
    classNames: input.classNames,
    after: { prediction: after.prediction, top5: after.top5 },
    before,
    entropyBefore: number(after.adaptation.entropyBefore),
    entropyAfter: number(after.adaptation.entropyAfter),
    adaptation: { ...rest, ms },
    views: shown,
  };
}
