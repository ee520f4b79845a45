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

/**
 * TopK has no tfjs gradient. d values / d x routes each value's cotangent back to the position it was taken
 * from (indices carry none); tfjs's kernel works on the last axis, which is where the executor puts it.
 */
export function registerTopKGradient(): void {
  if (tf.getGradient('TopK')) return;
  tf.registerGradient({
    kernelName: 'TopK',
    inputsToSave: ['x'],
    outputsToSave: [false, true],
    gradFunc: (dy, saved) => {
      const [x, indices] = saved as [tf.Tensor, tf.Tensor];
      const dValues = Array.isArray(dy) ? dy[0]! : dy;
      const n = x.shape[x.rank - 1]!;
      return {
        x: () =>
          tf.sum(
            tf.mul(tf.oneHot(tf.cast(indices, 'int32'), n, 1, 0, 'float32'), tf.expandDims(dValues, -1)),
            -2,
          ),
      };
    },
  });
}
