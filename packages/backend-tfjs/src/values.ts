import { tf } from '@attune/tensor';
import { HostTensor, isFloatDType, type OnnxDType } from './host-tensor.js';

/**
 * A value flowing through the graph: a tfjs tensor, a host tensor, or both (constants keep both so host
 * shape arithmetic and tfjs kernels can each use the form they need).
 */
export interface Slot {
  host?: HostTensor;
  tensor?: tf.Tensor;
  /**
   * Set when `host` was read back from `tensor` (e.g. an axes input computed by a kernel). The tensor stays
   * the value's primary form then, so ops keep using it and gradients keep flowing through it.
   */
  hostIsCopy?: boolean;
  /** Only while folding Shape/Size at load: a value whose static shape is known but whose data is not. */
  staticShape?: readonly number[];
}

/** What an op returns for each output. */
export type Value = tf.Tensor | HostTensor;

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** The tfjs dtype that carries an ONNX dtype: floats compute in float32, integers in int32. */
export function tfDTypeOf(dtype: OnnxDType): 'float32' | 'int32' | 'bool' {
  if (dtype === 'bool') return 'bool';
  return isFloatDType(dtype) ? 'float32' : 'int32';
}

/** The ONNX dtype a tfjs tensor stands for (int32 stands for any integer type, as int64 becomes int32). */
export function onnxDTypeOfTensor(tensor: tf.Tensor): OnnxDType {
  if (tensor.dtype === 'bool') return 'bool';
  return tensor.dtype === 'int32' ? 'int64' : 'float32';
}

/** Creates the tfjs tensor for a host tensor; integers must fit int32 (int64 becomes int32). */
export function hostToTensor(host: HostTensor, what: string): tf.Tensor {
  const dtype = tfDTypeOf(host.dtype);
  if (dtype === 'int32') assertFitsInt32(host.data, what);
  return tf.tensor(host.data as number[], [...host.shape], dtype);
}

export function assertFitsInt32(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < INT32_MIN || v > INT32_MAX) {
      throw new Error(
        `${what}: value ${v} does not fit int32 (tfjs computes int64 as int32, range ${INT32_MIN}..${INT32_MAX})`,
      );
    }
  }
}

/** Reads a tfjs tensor back into a host tensor (used for shape-like inputs: axes, shapes, indices). */
export function tensorToHost(tensor: tf.Tensor): HostTensor {
  return new HostTensor(
    onnxDTypeOfTensor(tensor),
    tensor.shape,
    Array.from(tensor.dataSync() as ArrayLike<number>),
  );
}

export function isHost(value: Value): value is HostTensor {
  return value instanceof HostTensor;
}
