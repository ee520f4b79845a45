// Bridges between tfjs tensors and onnxruntime tensors (onnxruntime-common's Tensor, which
// onnxruntime-node and onnxruntime-web re-export).
//
// Zero-copy where the memory layouts agree: on the cpu backend a float32/int32 tfjs tensor's dataSync()
// returns the backend's own typed array, and tf.tensor() stores a Float32Array/Int32Array/Uint8Array as
// given. Both sides then share one buffer, so treat the result as read-only: writing into it changes the
// other tensor too. Copies happen where they cannot be avoided (each is noted below).
import { Tensor as OrtTensor } from 'onnxruntime-common';
import { describeShape } from './checks.js';
import { tf } from './tf.js';

export type { OrtTensor };

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

export interface ToOrtOptions {
  /** Widen an int32 tensor to int64 (exported text models usually take int64 input_ids). Always a copy. */
  readonly int64?: boolean;
}

/**
 * A tfjs tensor as an onnxruntime CPU tensor of the same shape: float32 -> float32, int32 -> int32 (or int64
 * with `{ int64: true }`), bool -> bool. Zero-copy for float32/int32 on the cpu backend; backends that
 * keep data elsewhere (wasm heap, native TensorFlow, GPU) copy in dataSync(), as they must.
 */
export function toOrtTensor(t: tf.Tensor, options: ToOrtOptions = {}): OrtTensor {
  if (!(t instanceof tf.Tensor)) throw new TypeError(`toOrtTensor expects a tf.Tensor, got ${typeof t}`);
  if (t.isDisposed)
    throw new Error(`toOrtTensor: the ${t.dtype} tensor ${describeShape(t.shape)} has been disposed`);
  const dims = [...t.shape];
  switch (t.dtype) {
    case 'float32':
      if (options.int64)
        throw new Error('toOrtTensor: { int64: true } applies to int32 tensors, got float32');
      return new OrtTensor('float32', t.dataSync() as Float32Array, dims);
    case 'int32': {
      const values = t.dataSync() as Int32Array;
      if (!options.int64) return new OrtTensor('int32', values, dims);
      // Widening to 64-bit integers needs a new buffer.
      const wide = new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) wide[i] = BigInt(values[i]!);
      return new OrtTensor('int64', wide, dims);
    }
    case 'bool':
      if (options.int64) throw new Error('toOrtTensor: { int64: true } applies to int32 tensors, got bool');
      // tfjs 4.22 returns a fresh Uint8Array for bool reads (it converts its storage), so this is a copy.
      return new OrtTensor('bool', t.dataSync() as Uint8Array, dims);
    default:
      throw new Error(`toOrtTensor: unsupported tfjs dtype '${t.dtype}'; supported: float32, int32, bool`);
  }
}

function int64ToInt32(values: BigInt64Array, dims: readonly number[]): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < INT32_MIN || v > INT32_MAX) {
      throw new Error(
        `fromOrtTensor: int64 value ${v} at flat index ${i} of a ${describeShape(dims)} tensor does not fit in int32 (tfjs has no int64); expected values in [${INT32_MIN}, ${INT32_MAX}]`,
      );
    }
    out[i] = Number(v);
  }
  return out;
}

/**
 * An onnxruntime CPU tensor as a tfjs tensor: float32 -> float32, int32 -> int32, int64 -> int32 (a range
 * checked copy: tfjs has no 64-bit integers), bool -> bool. Zero-copy for float32, int32 and bool on the
 * cpu backend. Accepts tensors from any copy of onnxruntime-common (fields are read, no instanceof).
 */
export function fromOrtTensor(t: OrtTensor): tf.Tensor {
  if (t == null || typeof t !== 'object' || !('type' in t) || !('dims' in t)) {
    throw new TypeError('fromOrtTensor expects an onnxruntime Tensor (with type, dims and data)');
  }
  if (t.location !== 'cpu' && t.location !== 'cpu-pinned') {
    throw new Error(
      `fromOrtTensor: the ${t.type} tensor ${describeShape(t.dims)} lives on '${t.location}'; expected a CPU tensor (download it first with await tensor.getData())`,
    );
  }
  const dims = [...t.dims];
  switch (t.type) {
    case 'float32':
      return tf.tensor(t.data as Float32Array, dims, 'float32');
    case 'int32':
      return tf.tensor(t.data as Int32Array, dims, 'int32');
    case 'int64':
      return tf.tensor(int64ToInt32(t.data as BigInt64Array, dims), dims, 'int32');
    case 'bool':
      return tf.tensor(t.data as Uint8Array, dims, 'bool');
    default:
      throw new Error(
        `fromOrtTensor: unsupported onnxruntime tensor type '${t.type}'; supported: float32, int32, int64, bool`,
      );
  }
}
