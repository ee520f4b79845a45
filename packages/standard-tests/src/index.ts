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
