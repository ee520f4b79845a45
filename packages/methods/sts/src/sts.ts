// Spectrum-Aware Test-Time Steering (Dafnis & Metaxas, NeurIPS 2025, arXiv 2511.09809), on tensors only.
//
// Once per class set (spectralBasis):
//   Z0 [C,D] = L2-normalised class prototypes; thin SVD Z0 = U S Vᵀ (no mean-centring);
//   k = #{s_i > ω(β)·median(s)} (Gavish–Donoho, unknown noise), at least 1, or a fixed k;
//   B [D,k] = the first k right singular vectors (orthonormal, not scaled by s).
// Per test sample (steer):
//   γ ∈ R^k = 0, one vector shared by all classes; z_c(γ) = normalise(Z0_c + Bγ);
//   image features of the views (frozen encoder, computed once by the caller);
//   keep the int(N·0.1) lowest-entropy views under Z0;
//   loss = marginal entropy of the kept views' logits + λ‖Bγ‖²; AdamW on γ (one step by default);
//   predict from view 0 (or the mean of the kept views' logits) with z(γ).
// The gradient flows through this small graph only (features → logits → loss), never through an encoder.
import {
  AdamW,
  denseToTensor2D,
  gavishDonohoRank,
  l2Normalize,
  marginalEntropy,
  selectConfidentViews,
  tagPhase,
  tf,
  thinSvd,
} from '@attune/tensor';
import type { PredictFrom, RankRule } from './config.js';

/** The spectral steering space of one class set. */
export interface SpectralBasis {
  /** B [D,k]: the first k right singular vectors of Z0, signs fixed as thinSvd fixes them. */
  readonly basis: tf.Tensor2D;
  /** k, the number of steering directions. */
  readonly rank: number;
  /** All min(C,D) singular values of Z0, descending. */
  readonly singularValues: Float64Array;
  /** How k was chosen. */
  readonly rankRule: RankRule;
}

/**
 * B from the normalised prototypes Z0 [C,D]. Sign convention (singular vectors are defined up to sign, which
 * flips the matching component of γ): thinSvd makes the largest-magnitude entry of each right singular vector
 * positive; scripts/sts_reference.py does the same.
 */
export function spectralBasis(prototypes: tf.Tensor2D, rank: RankRule = 'gavish-donoho'): SpectralBasis {
  if (prototypes.rank !== 2) {
    throw new Error(`expected class prototypes Z0 as a tensor [C,D], got [${prototypes.shape.join(',')}]`);
  }
  const [classes, dim] = prototypes.shape;
  const svd = thinSvd(prototypes);
  const full = Math.min(classes, dim);
  let k: number;
  if (rank === 'gavish-donoho') {
    k = gavishDonohoRank(svd.S, classes, dim);
  } else {
    if (!Number.isInteger(rank) || rank < 1 || rank > full) {
      throw new Error(
        `rank ${rank} is not available for ${classes} classes in ${dim} dimensions: expected 'gavish-donoho' or an integer in [1, ${full}] (min(C, D))`,
      );
    }
    k = rank;
  }
  return { basis: denseToTensor2D(svd.V, k), rank: k, singularValues: svd.S, rankRule: rank };
}

/** z_c(γ) = normalise(Z0_c + Bγ) for every class: [C,D]. Differentiable in γ. */
export function steeredPrototypes(
  prototypes: tf.Tensor2D,
  basis: tf.Tensor2D,
  gamma: tf.Tensor1D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const shift = tf.reshape(tf.matMul(basis, tf.reshape(gamma, [-1, 1])), [1, -1]);
    return l2Normalize(tf.add(prototypes, shift) as tf.Tensor2D, 1);
  });
}

/** logitScale · features @ prototypesᵀ ([N,D] × [C,D] -> [N,C]); both inputs already normalised. */
export function clipLogits(features: tf.Tensor2D, prototypes: tf.Tensor2D, logitScale: number): tf.Tensor2D {
  return tf.tidy(
    () => tf.mul(tf.matMul(features, prototypes, false, true), tf.scalar(logitScale)) as tf.Tensor2D,
  );
}

export interface SteerOptions {
  /** Fraction of views kept by confidence selection (0.1 keeps int(64·0.1) = 6). */
  readonly selection: number;
  readonly steps: number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly eps: number;
  /** Weight of λ‖Bγ‖². */
  readonly lambda: number;
  readonly predict: PredictFrom;
}

export interface Adaptation {
  /** γ after the last step [k]. The caller disposes it. */
  readonly gamma: tf.Tensor1D;
  /** The views kept by confidence selection under Z0, most confident first. */
  readonly kept: readonly number[];
  /** Marginal entropy of the kept views under Z0 (the loss before the first step). */
  readonly entropyBefore: number;
  /** Loss before each step (marginal entropy + λ‖Bγ‖²). */
  readonly losses: readonly number[];
}

export interface SteeredPrediction {
  /** The logits predicted from [C]: view 0's (or the kept views' mean) under z(γ). The caller disposes them. */
  readonly logits: tf.Tensor1D;
  /** Marginal entropy of the kept views under z(γ). */
  readonly entropyAfter: number;
}

export interface SteerResult extends SteeredPrediction {
  readonly gamma: Float32Array;
  /** Bγ [D], the shift added to every prototype (sign-invariant, unlike γ). */
  readonly shift: Float32Array;
  readonly kept: readonly number[];
  readonly entropyBefore: number;
  readonly losses: readonly number[];
  /** The same prediction under Z0 (γ = 0) [C]. The caller disposes them. */
  readonly logitsBefore: tf.Tensor1D;
}

function scalarOf(t: tf.Tensor): number {
  const value = t.dataSync()[0]!;
  t.dispose();
  return value;
}

function checkInputs(
  features: tf.Tensor2D,
  prototypes: tf.Tensor2D,
  space: SpectralBasis,
  logitScale: number,
): void {
  if (features.rank !== 2 || features.shape[0] < 1) {
    throw new Error(`expected image features [N,D] with N >= 1 views, got [${features.shape.join(',')}]`);
  }
  const dim = features.shape[1];
  if (prototypes.rank !== 2 || prototypes.shape[1] !== dim || space.basis.shape[0] !== dim) {
    throw new Error(
      `image features [${features.shape.join(',')}], prototypes [${prototypes.shape.join(',')}] and basis [${space.basis.shape.join(',')}] must share the embedding size D`,
    );
  }
  if (!(Number.isFinite(logitScale) && logitScale > 0)) {
    throw new Error(
      `logitScale must be a finite number > 0 (exp of the raw CLIP parameter), got ${logitScale}`,
    );
  }
}

/**
 * Adapts γ for one test sample. Episodic: γ starts at 0 with a fresh AdamW every call. `features` [N,D] are
 * the L2-normalised image features of the views, view 0 first.
 */
export function adaptShift(
  features: tf.Tensor2D,
  prototypes: tf.Tensor2D,
  space: SpectralBasis,
  logitScale: number,
  options: Omit<SteerOptions, 'predict'>,
): Adaptation {
  checkInputs(features, prototypes, space, logitScale);
  const { basis } = space;
  const kept = tf.tidy(() =>
    selectConfidentViews(clipLogits(features, prototypes, logitScale), options.selection),
  );
  const keptFeatures = tf.gather(features, kept) as tf.Tensor2D;
  // tidy frees the zeros the variable is initialised from (variables themselves outlive tidy).
  const gamma = tf.tidy(() => tf.variable(tf.zeros([space.rank]), true)) as tf.Variable<tf.Rank.R1>;
  const optimizer = new AdamW([gamma], {
    lr: options.lr,
    weightDecay: options.weightDecay,
    eps: options.eps,
  });
  // The loss as a function of γ, the only differentiable input of the graph.
  const lossOf = (g: tf.Tensor1D): tf.Scalar =>
    tf.tidy(() => {
      const entropy = marginalEntropy(
        clipLogits(keptFeatures, steeredPrototypes(prototypes, basis, g), logitScale),
      );
      if (options.lambda === 0) return entropy;
      const shift = tf.matMul(basis, tf.reshape(g, [-1, 1]));
      return tf.add(entropy, tf.mul(tf.scalar(options.lambda), tf.sum(tf.square(shift)))) as tf.Scalar;
    });
  const lossAndGrad = tf.valueAndGrad(lossOf);
  try {
    const losses: number[] = [];
    for (let step = 0; step < options.steps; step++) {
      try {
        const { value, grad } = lossAndGrad(gamma);
        losses.push(scalarOf(value));
        optimizer.step([grad]);
        grad.dispose();
      } catch (error) {
        tagPhase(error, `step ${step + 1} of ${options.steps}`);
      }
    }
    // at γ = 0 the regulariser is 0, so the first loss is the marginal entropy under Z0
    return { gamma: tf.clone(gamma) as tf.Tensor1D, kept, entropyBefore: losses[0]!, losses };
  } finally {
    optimizer.dispose();
    gamma.dispose();
    keptFeatures.dispose();
  }
}

/** Logits of view 0 (or the mean of the kept views' logits) under z(γ), and the kept views' marginal entropy. */
export function steeredPrediction(
  features: tf.Tensor2D,
  prototypes: tf.Tensor2D,
  space: SpectralBasis,
  gamma: tf.Tensor1D,
  kept: readonly number[],
  logitScale: number,
  predict: PredictFrom,
): SteeredPrediction {
  checkInputs(features, prototypes, space, logitScale);
  if (kept.length === 0) throw new Error('expected at least one kept view index, got none');
  const logitsAll = tf.tidy(() =>
    clipLogits(features, steeredPrototypes(prototypes, space.basis, gamma), logitScale),
  );
  try {
    const entropyAfter = scalarOf(
      tf.tidy(() => marginalEntropy(tf.gather(logitsAll, [...kept]) as tf.Tensor2D)),
    );
    return { logits: predictionLogits(logitsAll, kept, predict), entropyAfter };
  } finally {
    logitsAll.dispose();
  }
}

/** The logits the prediction is made from: view 0's, or the mean of the kept views'. [C] */
function predictionLogits(logits: tf.Tensor2D, kept: readonly number[], predict: PredictFrom): tf.Tensor1D {
  return tf.tidy(() =>
    predict === 'view0'
      ? (tf.squeeze(tf.slice(logits, [0, 0], [1, -1]), [0]) as tf.Tensor1D)
      : (tf.mean(tf.gather(logits, [...kept]), 0) as tf.Tensor1D),
  );
}

/** adaptShift then steeredPrediction, with γ, Bγ and the γ = 0 prediction read out (for tests and tools). */
export function steer(
  features: tf.Tensor2D,
  prototypes: tf.Tensor2D,
  space: SpectralBasis,
  logitScale: number,
  options: SteerOptions,
): SteerResult {
  const adaptation = adaptShift(features, prototypes, space, logitScale, options);
  const { gamma, kept } = adaptation;
  try {
    const prediction = steeredPrediction(
      features,
      prototypes,
      space,
      gamma,
      kept,
      logitScale,
      options.predict,
    );
    const zero = tf.zerosLike(gamma);
    const before = steeredPrediction(features, prototypes, space, zero, kept, logitScale, options.predict);
    zero.dispose();
    const shift = tf.tidy(() => tf.reshape(tf.matMul(space.basis, tf.reshape(gamma, [-1, 1])), [-1]));
    const result: SteerResult = {
      ...prediction,
      gamma: Float32Array.from(gamma.dataSync()),
      shift: Float32Array.from(shift.dataSync()),
      kept,
      entropyBefore: adaptation.entropyBefore,
      losses: adaptation.losses,
      logitsBefore: before.logits,
    };
    shift.dispose();
    return result;
  } finally {
    gamma.dispose();
  }
}
