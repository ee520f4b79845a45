export {
  type BackendConformanceOptions,
  type BackendVariant,
  describeBackendConformance,
  maxDifference,
} from './backend/backend-conformance.js';
export { encodeGraph, type GraphNode, type GraphSpec } from './backend/onnx-builder.js';
export { backendOpGraphs, type HostTensor, type OpGraph, spread } from './backend/op-graphs.js';
export { type BadConfigCase, derivedBadConfigs } from './bad-configs.js';
export {
  type CheckTarget,
  ConformanceError,
  checkBadConfigRejected,
  checkCreateDispose,
  checkDeterminism,
  checkNoLeaks,
  checkSchemaRoundTrip,
} from './checks.js';
export { type ConformanceOptions, describeConformance } from './conformance.js';
export { describeSuiteConformance, type SuiteConformanceOptions } from './suite-conformance.js';
