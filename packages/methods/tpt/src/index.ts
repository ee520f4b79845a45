// What users of TPT need: the plugin and its classifier, the config, the paper's tuning loop and its parts,
// and the extension point for methods built on TPT (EpisodicTuningClassifier with the views it tunes on).
export { type ClassChunk, classChunkFor, DEFAULT_CLASS_CHUNK } from './class-chunks.js';
export { checkContextLength, TPT_INIT_TEXT, type TptConfig, tptConfig, tptFields } from './config.js';
export {
  type ContextGradientOptions,
  contextGradient,
  type PromptTuningModel,
  type StepGradient,
  type TextRuntime,
  textFeaturesOn,
} from './context-gradient.js';
export { type Episode, type EpisodeConfig, EpisodicTuningClassifier, TptClassifier } from './method.js';
export { type OnnxTextModel, textFeaturesOnnx, textFeaturesVjpOnnx } from './onnx-chunks.js';
export { tptPlugin } from './plugin.js';
export { type OnnxGradientSupport, resolveGradients } from './resolve-gradients.js';
export {
  confidenceSelector,
  type PromptTuningOptions,
  type PromptTuningResult,
  predictAfterTuning,
  promptLogits,
  type TunedPrediction,
  tunePrompt,
  type ViewSelector,
} from './tpt.js';
