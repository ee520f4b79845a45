export {
  ADAMW_DEFAULTS,
  AdamW,
  type AdamWGrads,
  type AdamWGroupSpec,
  type AdamWHyperparams,
  type AdamWParamGroup,
} from './adamw.js';
export { selectConfidentViews, selectionCount } from './confident-views.js';
export { MOST_NEGATIVE_FLOAT32 } from './float32.js';
export { gavishDonohoOmega, gavishDonohoRank } from './gavish-donoho.js';
export { l2Normalize } from './l2-normalize.js';
export { entropy, entropyFromLogProbs, logSoftmax, logsumexp, softmax } from './log-space.js';
export { cosineAnnealing, type LrSchedule, LrScheduler, linearWarmupThenDecay } from './lr-schedule.js';
export { logAverageProbs, marginalEntropy } from './marginal-entropy.js';
export {
  createRng,
  type DivergenceContext,
  DivergenceError,
  explainDivergence,
  NonFiniteValuesError,
  Rng,
  tagPhase,
  withDivergenceContext,
} from './numerics/index.js';
export { fromOrtTensor, type OrtTensor, type ToOrtOptions, toOrtTensor } from './ort-bridge.js';
export { normalTensor, uniformTensor } from './random-tensors.js';
export {
  type DenseMatrix,
  denseColumn,
  denseToTensor2D,
  type MatrixInput,
  type ThinSvd,
  thinSvd,
} from './svd.js';
export { tf } from './tf.js';
export { topK } from './top-k.js';
