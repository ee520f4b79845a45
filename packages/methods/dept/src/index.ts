export {
  ADAPTER_CONFIG,
  ADAPTER_WEIGHTS,
  type Adapter,
  type AdapterConfig,
  loadAdapter,
  saveAdapter,
} from './adapter.js';
export { rankForBudget, validSplits } from './budget.js';
export {
  type DeptConfig,
  deptConfig,
  type PromptTuningConfig,
  promptTuningConfig,
  type TunerSettings,
} from './config.js';
export {
  type DeptParams,
  type DeptShape,
  deptScaling,
  embeddingUpdate,
  initDeptParams,
  splitGradient,
  trainableParameters,
} from './dept.js';
export { withLabelLoss } from './loss-graph.js';
export {
  CHECKPOINT_FILE,
  type DeptTrainOptions,
  type DeptTrainReport,
  type Prediction,
  PromptTuner,
  type StepInfo,
  shapeFor,
} from './method.js';
export {
  type LmBatch,
  type LossBatch,
  PromptLM,
  type PromptLMConfig,
  type PromptLMOptions,
} from './prompt-lm.js';
export { readSafetensors, SafetensorsError, writeSafetensors } from './safetensors.js';
export {
  type EncodedInput,
  encodeInput,
  encodeLabel,
  type OverflowPolicy,
  type TrainRow,
  trainBatch,
} from './sequences.js';
export { checkLabels, loadTask, type PinnedTask, TASKS_DIR, taskNames } from './tasks.js';
export { batchIndices, type OptimizerSettings, TrainStep } from './train-step.js';
