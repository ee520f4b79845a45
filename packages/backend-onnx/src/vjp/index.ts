export {
  type BuiltVjp,
  buildVjp,
  COTANGENT_PREFIX,
  GRADIENT_PREFIX,
  MissingGradientRuleError,
  missingGradientRules,
  type VjpGraphReport,
  type VjpOptions,
} from './build-vjp.js';
export { NON_DIFFERENTIABLE_OPS, RULE_OPS } from './rules/index.js';
export { loadVjpSession, type VjpRunResult, VjpSession, type VjpSessionOptions } from './vjp-session.js';
