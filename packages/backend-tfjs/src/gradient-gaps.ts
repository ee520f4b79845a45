import { tf } from '@attune/tensor';

/**
 * Comparison and logical kernels whose tfjs gradient is missing. Their outputs are boolean, so their
 * gradient is zero, but tfjs refuses to differentiate through a graph where a comparison reads a value on
 * the gradient path (e.g. `where(x > 0, x, 0.1 * x)`). Registered only where tfjs has none.
 */
const ZERO_GRADIENT_KERNELS = [
  'Equal',
  'NotEqual',
  'Greater',
  'Less',
  'LessEqual',
  'LogicalAnd',
  'LogicalOr',
  'LogicalNot',
  'LogicalXor',
] as const;

export function registerZeroGradients(): void {
  for (const kernelName of ZERO_GRADIENT_KERNELS) {
    if (tf.getGradient(kernelName)) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: kernelName === 'LogicalNot' ? ['x'] : ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const names = kernelName === 'LogicalNot' ? ['x'] : ['a', 'b'];
        return Object.fromEntries(names.map((name, i) => [name, () => tf.zerosLike(saved[i]!)]));
      },
    });
  }
}
