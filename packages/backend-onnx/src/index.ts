// Re-exported so callers build feeds with the same onnxruntime copy this package runs.
export { Tensor } from 'onnxruntime-node';
export { createOnnxBackend, OnnxBackend, type OnnxBackendOptions } from './backend.js';
export { concatRows, findBatchedInputs, sliceRows } from './batching.js';
export { describeFeedValue, formatDeclaredShape } from './describe.js';
export { FeedError, ModelLoadError, OnnxBackendError } from './errors.js';
export {
  chooseProviders,
  cudaAvailability,
  type ProviderAvailability,
  type ProviderChoice,
} from './execution-providers.js';
export { checkFeeds } from './feed-validation.js';
export type { ModelSource } from './model-source.js';
export {
  defaultIntraOpThreads,
  EXECUTION_PROVIDERS,
  type ExecutionProviderName,
  type GraphOptimizationLevel,
  type ResolvedSessionSettings,
  type SessionSettings,
} from './options.js';
export {
  PilResize,
  type PilResizeFilter,
  type PlanarBytes,
  pilResizeAttributes,
  pilResizeModel,
  type ResizeRequest,
} from './resize-graph.js';
export {
  type Feeds,
  OnnxSession,
  type Outputs,
  type RunBatchedOptions,
  type SessionInfo,
  type WarmUpOptions,
  type WarmUpReport,
} from './session.js';
export {
  type InterleavedBytes,
  TestTimeViewsGraph,
  type ViewsGraphPlan,
  type ViewsTensor,
  viewsModel,
} from './views-graph.js';
export { zeroFeeds } from './warm-up.js';
