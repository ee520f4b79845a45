// The STS classifier instance: per test image, encode the views once with the frozen image tower, steer the
// class prototypes with one AdamW step on γ (sts.ts), predict. The spectral basis is computed once per class
// set and cached.

import { backendLabel, buildTestTimeViews, checkClassifyInput, encodeViews } from '@attune/clip-kit';
import {
  type ClassifyInput,
  type ClassifyResult,
  type ImageClassifierMethod,
  summarizeLogits,
} from '@attune/contracts';
import type { VisionLanguageModel } from '@attune/models';
import { explainDivergence, l2Normalize, tf } from '@attune/tensor';
import { STS_LR, type StsSettings } from './config.js';
import {
  adaptShift,
  type SpectralBasis,
  type SteeredPrediction,
  spectralBasis,
  steeredPrediction,
} from './sts.js';

/** ClassifyResult with what STS adds to `adaptation`. */
export interface StsClassifyResult extends ClassifyResult {
  readonly adaptation: ClassifyResult['adaptation'] & {
    readonly entropyBefore: number;
    readonly entropyAfter: number;
    readonly viewsKept: number;
    readonly steps: number;
    /** Number of spectral steering directions (the rank of B). */
    readonly k: number;
    /** Indices of the kept views, most confident first (0 is the un-augmented image). */
    readonly keptViews: number[];
    /** ‖Bγ‖, the size of the shift added to every prototype. */
    readonly shiftNorm: number;
    /** Wall time in ms: prototypes (text tower + SVD, ~0 once cached), views, encode, adapt, predict. */
    readonly ms: Record<'prototypes' | 'views' | 'encode' | 'adapt' | 'predict', number>;
  };
}

/** Class sets whose basis is kept; the oldest is dropped beyond this. */
const BASIS_CACHE_SIZE = 32;

const now = (): number => performance.now();
/** Milliseconds to two decimals. */
const ms = (from: number, to: number): number => Math.round((to - from) * 100) / 100;

/** What STS uses of the registry's tfjs backend (@attune/backend-tfjs's TfjsBackend). */
export interface TfjsBackendHandle {
  readonly backend: { readonly tfBackend: string };
  dispose(): void;
}

export class StsClassifier implements ImageClassifierMethod<VisionLanguageModel, tf.Tensor4D> {
  private readonly bases = new Map<string, SpectralBasis>();
  private disposed = false;

  constructor(
    readonly model: VisionLanguageModel,
    readonly settings: StsSettings,
    /** One template for `sts`, the ensemble for `sts-ensemble`. */
    readonly templates: readonly string[],
    /** The seed given to create, used when a call gives none (before settings.seed). */
    private readonly createSeed?: number,
    /** The tfjs backend to run on (re-activated per call); without one, whatever tfjs has active. */
    private readonly tfjs?: TfjsBackendHandle,
  ) {}

  get backend(): string {
    return backendLabel(this.model, this.tfjs?.backend ?? 'model');
  }

  /** Number of class sets with a cached spectral basis. */
  get cachedBases(): number {
    return this.bases.size;
  }

  /** The spectral basis of a class set (cached): B [D,k] from the SVD of Z0. */
  async basisFor(classNames: readonly string[]): Promise<{ prototypes: tf.Tensor2D; space: SpectralBasis }> {
    this.assertUsable();
    const prototypes = await this.model.classPrototypes(classNames, this.templates);
    const key = JSON.stringify([classNames, this.templates]);
    let space = this.bases.get(key);
    if (!space) {
      space = spectralBasis(prototypes, this.settings.rank);
      this.bases.set(key, space);
      if (this.bases.size > BASIS_CACHE_SIZE) {
        const [oldest, entry] = this.bases.entries().next().value as [string, SpectralBasis];
        entry.basis.dispose();
        this.bases.delete(oldest);
      }
    }
    return { prototypes, space };
  }

  async classify(
    input: ClassifyInput<tf.Tensor4D>,
    options: { seed?: number } = {},
  ): Promise<StsClassifyResult> {
    this.assertUsable();
    checkClassifyInput(input);
    const seed = options.seed ?? this.createSeed ?? this.settings.seed;
    const s = this.settings;
    // tfjs has one active backend per process; another method may have switched it since the last call.
    if (this.tfjs && tf.getBackend() !== this.tfjs.backend.tfBackend)
      await tf.setBackend(this.tfjs.backend.tfBackend);

    const t0 = now();
    const { prototypes, space } = await this.basisFor(input.classNames);
    const t1 = now();
    const views =
      input.views ??
      (await buildTestTimeViews(this.model, input.image, { views: s.views, seed, resize: s.viewResize }));
    const t2 = now();
    let features: tf.Tensor2D;
    try {
      const raw = await encodeViews(this.model, views); // frozen encoder, computed once
      features = l2Normalize(raw, 1);
      raw.dispose();
    } finally {
      if (views !== input.views) views.dispose();
    }
    const t3 = now();
    try {
      const adaptation = adaptShift(features, prototypes, space, this.model.logitScale, s);
      const t4 = now();
      const { gamma, kept } = adaptation;
      let prediction: SteeredPrediction;
      let shiftNorm: number;
      try {
        prediction = steeredPrediction(
          features,
          prototypes,
          space,
          gamma,
          kept,
          this.model.logitScale,
          s.predict,
        );
        const norm = tf.tidy(() => tf.norm(tf.matMul(space.basis, tf.reshape(gamma, [-1, 1]))));
        shiftNorm = norm.dataSync()[0]!;
        norm.dispose();
      } finally {
        gamma.dispose();
      }
      const values = prediction.logits.dataSync();
      prediction.logits.dispose();
      const summary = summarizeLogits(values, input.classNames);
      const t5 = now();
      return {
        ...summary,
        adaptation: {
          entropyBefore: adaptation.entropyBefore,
          entropyAfter: prediction.entropyAfter,
          viewsKept: kept.length,
          steps: s.steps,
          k: space.rank,
          keptViews: [...kept],
          shiftNorm,
          ms: {
            prototypes: ms(t0, t1),
            views: ms(t1, t2),
            encode: ms(t2, t3),
            adapt: ms(t3, t4),
            predict: ms(t4, t5),
          },
        },
      };
    } catch (error) {
      // NaN or Inf in the steered logits: an lr (or λ) far too large for the model's logit scale.
      throw explainDivergence(error, {
        method: this.templates.length > 1 ? 'sts-ensemble' : 'sts',
        phase: `the prediction after ${s.steps} step${s.steps === 1 ? '' : 's'}`,
        settings: { lr: s.lr, lambda: s.lambda },
        defaults: { lr: STS_LR, lambda: 0 },
      });
    } finally {
      features.dispose();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const space of this.bases.values()) space.basis.dispose();
    this.bases.clear();
    this.tfjs?.dispose();
    await this.model.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('this STS instance has been disposed; create a new one');
  }
}
