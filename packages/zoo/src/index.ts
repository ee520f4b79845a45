export { type CardFile, cardParameters, cardProblems, headlineMetrics, type ModelCard } from './card.js';
export {
  type CorruptionMetric,
  type CorruptionMetrics,
  withCorruptionMetrics,
  writeCorruptionMetrics,
} from './corruption-metrics.js';
export {
  CorruptModelError,
  InvalidModelConfigError,
  MissingModelFileError,
  UnknownZooModelError,
  ZooError,
} from './errors.js';
export { listZoo, type ZooEntry } from './list-zoo.js';
export {
  type CausalLMModelConfig,
  type MoeLMModelConfig,
  parseCausalLMConfig,
  parseMoeLMConfig,
  parseRewardModelConfig,
  type RewardModelConfig,
} from './lm-config.js';
export {
  CLIP_IMAGE_MEAN,
  CLIP_IMAGE_STD,
  CLIP_TRAINED_LOGIT_SCALE,
  type ClipModelConfig,
  type ImageVariationConfig,
  type ModelConfig,
  modelKindOf,
  parseClipConfig,
  parseImageVariationConfig,
} from './model-config.js';
export {
  CAUSAL_LM_FILES,
  CLIP_FILES,
  COMBINED_CLIP_FILE,
  FILES_BY_KIND,
  type FileSpec,
  IMAGE_VARIATION_FILES,
  MODEL_TYPES,
  MOE_LM_FILES,
  type ModelKind,
  type OnnxSignature,
  REWARD_MODEL_FILES,
} from './model-layout.js';
export {
  InvalidOnnxError,
  inspectOnnx,
  inspectOnnxBytes,
  type OnnxSummary,
  type OnnxValueInfo,
} from './onnx-inspect.js';
export {
  type AbsentOptionalFile,
  type ResolvedFile,
  type ResolvedModel,
  resolveModel,
  SHAPED_PREFIX,
  zooIds,
} from './resolve-model.js';
export { SHAPED_SPECS, type ShapedSpec, shapedModelDir } from './shaped.js';
export {
  type FileCheck,
  type FileStatus,
  loadVerifiedModel,
  sha256File,
  type VerifyReport,
  verifyModel,
  verifyResolved,
} from './verify-model.js';
export { formatVerifyReports, formatZooList, modelDigest, zooListJson, zooVerify } from './zoo-commands.js';
export { shapedCacheDir, ZOO_MODELS_DIR, ZOO_PREFIX } from './zoo-paths.js';
