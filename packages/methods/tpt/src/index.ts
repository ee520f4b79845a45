export {
  CLASS_CHUNK_TOKEN_BUDGET,
  type ClassChunk,
  checkClassChunk,
  chunkRanges,
  classChunkFor,
  classChunkOf,
  DEFAULT_CLASS_CHUNK,
  textFeaturesInChunks,
  textFeaturesVjp,
} from './class-chunks.js';
export { checkClassifyInput, elapsedSince, SerialQueue } from './classify-call.js';
export {
  checkContextLength,
  initTextWords,
  TPT_INIT_TEXT,
  type TptConfig,
  tptConfig,
  tptFields,
} from './config.js';
export { EpisodicPrompt, type EpisodicPromptOptions } from './episodic-prompt.js';
export { type OnnxTextModel, textFeaturesOnnx, textFeaturesVjpOnnx } from './onnx-chunks.js';
export {
  type OnnxTuningModel,
  predictAfterTuningOnnx,
  resolveGradients,
  tunePromptOnnx,
} from './onnx-tuning.js';
export { TptClassifier, tptPlugin } from './plugin.js';
export {
  confidenceSelector,
  type PromptTuningModel,
  type PromptTuningOptions,
  type PromptTuningResult,
  predictAfterTuning,
  promptLogits,
  promptTextFeatures,
  type TunedPrediction,
  tunePrompt,
  type ViewSelector,
} from './tpt.js';
export { type EpisodeOptions, tuneAndPredict } from './tune-and-predict.js';
export { augmentedViews, checkViews, encodeViews, rawToFloatImage, type ViewOptions } from './views.js';
