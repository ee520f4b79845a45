export {
  BACKEND_NAMES,
  type BackendChoice,
  type BackendName,
  type BackendPreference,
  selectBackend,
} from './backend-selection.js';
export type { OnnxDType } from './host-tensor.js';
export {
  type Feeds,
  type GradientResult,
  type GraphStats,
  loadOnnxGraph,
  OnnxGraph,
  type Outputs,
} from './onnx-graph.js';
export type { TensorInfo } from './onnx-model.js';
export { SUPPORTED_OPS } from './ops/index.js';
export { createTfjsBackend, type TfjsBackend, type TfjsBackendOptions } from './tfjs-backend.js';
