import { ELEMENTWISE_OPS } from './elementwise.js';
import { INDEXING_OPS } from './indexing.js';
import { MATMUL_OPS } from './matmul.js';
import { NN_OPS } from './nn.js';
import type { OpImpl } from './op-context.js';
import { REDUCE_OPS } from './reduce.js';
import { SHAPE_OPS } from './shape.js';

/** Every supported operator of the default ONNX domain, by op type. */
export const OPS: Readonly<Record<string, OpImpl>> = {
  ...ELEMENTWISE_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
  ...INDEXING_OPS,
  ...MATMUL_OPS,
  ...NN_OPS,
};

/** Sorted names of the supported operators (the list unsupported-operator errors show). */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).sort();

export type { GraphNode, OpImpl } from './op-context.js';
export { OpContext } from './op-context.js';
