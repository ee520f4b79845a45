export {
  type PredictFrom,
  type RankRule,
  SINGLE_TEMPLATE,
  type StsConfig,
  type StsEnsembleConfig,
  type StsSettings,
  stsConfig,
  stsEnsembleConfig,
} from './config.js';
export { StsClassifier, type StsClassifyResult } from './method.js';
export { sts, stsEnsemble } from './plugin.js';
export {
  type Adaptation,
  adaptShift,
  clipLogits,
  type SpectralBasis,
  type SteeredPrediction,
  type SteerOptions,
  type SteerResult,
  spectralBasis,
  steer,
  steeredPrediction,
  steeredPrototypes,
} from './sts.js';
