export {
  C3PO,
  C3PO_VARIANTS,
  type C3poAnswer,
  type C3poGradients,
  type C3poOptions,
  type C3poVariant,
  loadReferences,
  loadTasks,
  ORACLE_LR_MAX,
} from './c3po.js';
export { type C3poConfig, c3poConfig } from './config.js';
export { clipFloorToMax, LOSS, TARGET_IDS, TARGET_WEIGHTS, withRoutingLoss } from './loss-graph.js';
export { C3poRemixer, type C3poRemixInput } from './method.js';
export { c3po } from './plugin.js';
export {
  type LabelledQuestion,
  PROMPT_TUNING_DEFAULTS,
  type PromptAnswer,
  type PromptTuningOptions,
  type PromptTuningRun,
  SoftPromptBaseline,
} from './prompt-tuning.js';
export {
  checkPathway,
  coreOverride,
  cosine,
  cosineWeightedAverage,
  euclidean,
  gaussianWeights,
  type KernelName,
  kernelWeights,
  LEAKAGE_THRESHOLD,
  lastLayers,
  meanShift,
  type Neighbour,
  nearestNeighbours,
  type Reference,
  renormaliseLayers,
  weightedAverage,
} from './remix.js';
export { type LossAndGradient, RoutingGradient, type WeightedPrompt } from './routing-gradient.js';
export {
  cosineLr,
  optimiseRouting,
  type RoutingOptimisation,
  type RoutingOptimiserOptions,
  type RoutingOptimizer,
} from './routing-optimiser.js';
