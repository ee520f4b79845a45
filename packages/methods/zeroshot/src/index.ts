export {
  SINGLE_TEMPLATE,
  type ZeroshotConfig,
  type ZeroshotEnsembleConfig,
  zeroshotConfig,
  zeroshotEnsembleConfig,
} from './config.js';
export { zeroshot, zeroshotEnsemble } from './plugin.js';
export { ZeroShotClassifier } from './zeroshot.js';
