import { ELEMENTWISE_RULES } from './elementwise.js';
import { MATMUL_RULES } from './matmul.js';
import { NN_RULES } from './nn.js';
import { reduceRules } from './reduce.js';
import type { RuleTable } from './rule.js';
import { SHAPE_RULES } from './shape.js';

/** One gradient rule per ONNX op type (default domain). */
export const GRADIENT_RULES: RuleTable = {
  ...ELEMENTWISE_RULES,
  ...MATMUL_RULES,
  ...SHAPE_RULES,
  ...reduceRules(),
  ...NN_RULES,
};

/**
 * Ops whose outputs carry no gradient: shapes, comparisons, indices, constants. A differentiated value may
 * feed them; nothing flows back.
 */
export const NON_DIFFERENTIABLE_OPS: ReadonlySet<string> = new Set([
  'Shape',
  'Size',
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'And',
  'Or',
  'Xor',
  'Not',
  'ArgMax',
  'ArgMin',
  'NonZero',
  'ConstantOfShape',
  'Range',
  'IsNaN',
  'IsInf',
  'Sign',
  'Floor',
  'Ceil',
  'Round',
  'EyeLike',
  'OneHot',
  'RandomNormalLike',
  'RandomUniformLike',
  'Bernoulli',
  'Multinomial',
]);

export const RULE_OPS: readonly string[] = Object.keys(GRADIENT_RULES).sort();
