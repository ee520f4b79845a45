import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { formatDeclaredShape } from './describe.js';
import { OnnxBackendError } from './errors.js';

type ValueMetadata = InferenceSession.ValueMetadata;

const ZERO_DATA: Record<string, (n: number) => Tensor['data']> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  // onnxruntime-node takes float16 as raw 16-bit words; zero is all bits clear either way.
  float16: (n) => new Uint16Array(n),
  int8: (n) => new Int8Array(n),
  uint8: (n) => new Uint8Array(n),
  int16: (n) => new Int16Array(n),
  uint16: (n) => new Uint16Array(n),
  int32: (n) => new Int32Array(n),
  uint32: (n) => new Uint32Array(n),
  int64: (n) => new BigInt64Array(n),
  uint64: (n) => new BigUint64Array(n),
  bool: (n) => new Uint8Array(n),
  string: (n) => new Array<string>(n).fill(''),
};

/**
 * Zero-filled feeds shaped from the model's input metadata, for warm-up runs. Dynamic dimensions take their
 * size from `dims` by symbolic name (e.g. { batch: 64, sequence: 77 }), else `defaultSize`.
 */
export function zeroFeeds(
  inputs: readonly ValueMetadata[],
  dims: Readonly<Record<string, number>> = {},
  defaultSize = 1,
): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const meta of inputs) {
    if (!meta.isTensor) {
      throw new OnnxBackendError(
        `warm-up: input "${meta.name}" is not a tensor; pass warm-up feeds explicitly`,
      );
    }
    const make = ZERO_DATA[meta.type];
    if (!make) {
      throw new OnnxBackendError(
        `warm-up: cannot make zeros of type ${meta.type} for input "${meta.name}"; pass warm-up feeds explicitly`,
      );
    }
    const shape = meta.shape.map((d) => {
      if (typeof d === 'number') return d;
      const size = dims[d] ?? defaultSize;
      if (!Number.isInteger(size) || size < 0) {
        throw new OnnxBackendError(
          `warm-up: dimension "${d}" of input "${meta.name}" ${formatDeclaredShape(meta.shape)} must be an integer >= 0, got ${size}`,
        );
      }
      return size;
    });
    const count = shape.reduce((a, b) => a * b, 1);
    feeds[meta.name] = new Tensor(meta.type as 'float32', make(count) as Float32Array, shape);
  }
  return feeds;
}
