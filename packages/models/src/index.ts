export {
  type CausalLM,
  type CausalLMConfig,
  type GenerateOptions,
  type Generation,
  loadCausalLM,
  OnnxCausalLM,
} from './causal-lm.js';
export { checkClassNames, checkTemplates, fillTemplate } from './class-names.js';
export {
  ClipVisionLanguageModel,
  type LoadVisionLanguageModelOptions,
  loadVisionLanguageModel,
} from './clip-model.js';
export {
  clipPreprocess,
  type PreprocessOptions,
  type PreprocessPlan,
  planPreprocess,
} from './clip-preprocess.js';
export { ClipTokenizer, type ClipTokenizerIds, type TokenizedBatch } from './clip-tokenizer.js';
export {
  alphaBars,
  type DdimStepCoefficients,
  ddimCoefficients,
  ddimTimesteps,
  ddimUpdate,
  guidedNoise,
  toUnitRange,
} from './ddim.js';
export {
  CHECK_QUESTIONS,
  type DecoderConfig,
  type DecoderFeedOptions,
  decoderFeeds,
} from './decoder-check-feeds.js';
export {
  CUT_TOLERANCE,
  type DerivedDecoderEmbeds,
  type DerivedTextEmbeds,
  deriveDecoderEmbeds,
  deriveTextEmbeds,
  type SplitTowers,
  splitCombinedClip,
  surgeryCacheDir,
} from './derived-entry-points.js';
export {
  ImageVariationModel,
  type LoadImageVariationModelOptions,
  loadImageVariationModel,
  type SampleOptions,
} from './image-variation-model.js';
export type { KvCache } from './kv-decoder.js';
export { LmTokenizer } from './lm-tokenizer.js';
export {
  createCausalLM,
  createImageVariationModel,
  createMoELM,
  createRewardModel,
  createVisionLanguageModel,
  modelEnsembleTemplates,
} from './model-from-registry.js';
export {
  loadMoELM,
  MOE_ROUTING_INPUTS,
  MOE_ROUTING_OUTPUTS,
  MoELM,
  type OptionScores,
  type RoutedPrompt,
  type RoutingOverride,
} from './moe-lm.js';
export {
  checkPaddingMode,
  comparePaddingFeatures,
  PADDING_MODES,
  PADDING_TOLERANCE,
  type PaddingCheck,
  type PaddingMode,
} from './padding-check.js';
export { type PixelBuffer, pilResize, type ResampleFilter } from './pil-resize.js';
export {
  causalLMConfig,
  causalLMPlugin,
  clipModelConfig,
  clipModelPlugin,
  imageVariationConfig,
  imageVariationPlugin,
  moeLMConfig,
  moeLMPlugin,
  rewardModelConfig,
  rewardModelPlugin,
} from './plugin.js';
export { checkClassPrompts, type PromptCheckResult, type PromptTokenizer } from './prompt-checks.js';
export {
  assemblePromptEmbeds,
  type BuildPromptPartsOptions,
  buildPromptParts,
  DEFAULT_N_CTX,
  type PromptParts,
} from './prompt-parts.js';
export { PrototypeCache } from './prototype-cache.js';
export { checkRawImage, isByteImage } from './raw-image.js';
export { loadRewardModel, OnnxRewardModel, type RewardModel } from './reward-model.js';
export {
  checkGradientBackend,
  GRADIENT_BACKENDS,
  type GradientBackend,
  type OnnxGradientSupport,
} from './text-gradients.js';
export type { ModelBackends, PromptPartsOptions, VisionLanguageModel } from './vision-language-model.js';
