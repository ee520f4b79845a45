import { tf } from '../../src/index.js';

/** The change in live tfjs tensors across `fn` (0 means nothing leaked). */
export function tensorsLeakedBy(fn: () => void): number {
  const before = tf.memory().numTensors;
  fn();
  return tf.memory().numTensors - before;
}
