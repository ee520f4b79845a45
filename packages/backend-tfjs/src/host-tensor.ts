/**
 * A small tensor kept in JS numbers: the values of shape arithmetic (Shape -> Gather -> Concat -> Reshape),
 * small constants and int64 index vectors. Computing these eagerly on the host keeps dynamic-shape exports
 * working under autodiff (tfjs needs concrete JS arrays for shapes) and keeps int64 values such as
 * INT64_MAX slice ends exact, where int32 tfjs tensors could not hold them.
 */

/** ONNX element types, named as in numpy. */
export type OnnxDType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

export const isFloatDType = (dtype: OnnxDType): boolean =>
  dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';

/** Host tensors hold at most this many elements; larger results are computed as tfjs tensors. */
export const HOST_MAX_ELEMENTS = 1 << 14;

export class HostTensor {
  readonly size: number;

  constructor(
    readonly dtype: OnnxDType,
    readonly shape: readonly number[],
    readonly data: readonly number[],
  ) {
    this.size = sizeOf(shape);
    if (data.length !== this.size) {
      throw new Error(
        `host tensor of shape [${shape.join(',')}] needs ${this.size} values, got ${data.length}`,
      );
    }
  }

  /** Builds a tensor, rounding to the precision the dtype has (float32 arithmetic, integer truncation). */
  static of(dtype: OnnxDType, shape: readonly number[], values: readonly number[]): HostTensor {
    return new HostTensor(dtype, shape, values.map(roundTo(dtype)));
  }

  static scalar(dtype: OnnxDType, value: number): HostTensor {
    return HostTensor.of(dtype, [], [value]);
  }

  reshape(shape: readonly number[]): HostTensor {
    return new HostTensor(this.dtype, shape, this.data);
  }
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  return strides;
}

function roundTo(dtype: OnnxDType): (value: number) => number {
  if (dtype === 'bool') return (v) => (v ? 1 : 0);
  if (dtype === 'float64') return (v) => v;
  if (isFloatDType(dtype)) return Math.fround;
  return Math.trunc;
}

/** numpy broadcasting of two shapes; throws naming both shapes when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[], what = 'broadcast'): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${what}: shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Maps each flat index of `outShape` to the flat index of a tensor of `shape` broadcast to it. */
export function broadcastIndex(
  shape: readonly number[],
  outShape: readonly number[],
): (flat: number) => number {
  const offset = outShape.length - shape.length;
  const strides = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  return (flat) => {
    let index = 0;
    for (let i = 0; i < shape.length; i++) {
      const coordinate = Math.floor(flat / outStrides[i + offset]!) % outShape[i + offset]!;
      if (shape[i] !== 1) index += coordinate * strides[i]!;
    }
    return index;
  };
}

/** Elementwise op over broadcast host tensors. */
export function hostElementwise(
  inputs: readonly HostTensor[],
  dtype: OnnxDType,
  fn: (values: number[]) => number,
): HostTensor {
  const shape = inputs.reduce<number[]>((acc, t) => broadcastShapes(acc, t.shape), []);
  const indexers = inputs.map((t) => broadcastIndex(t.shape, shape));
  const size = sizeOf(shape);
  const data = new Array<number>(size);
  const args = new Array<number>(inputs.length);
  for (let flat = 0; flat < size; flat++) {
    for (let k = 0; k < inputs.length; k++) args[k] = inputs[k]!.data[indexers[k]!(flat)]!;
    data[flat] = fn(args);
  }
  return HostTensor.of(dtype, shape, data);
}

/** Normalises a possibly negative axis against `rank`, naming the op when it is out of range. */
export function normalizeAxis(axis: number, rank: number, what: string): number {
  const normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank || !Number.isInteger(normalized)) {
    throw new Error(
      `${what}: axis ${axis} is out of range for a rank-${rank} tensor (expected ${-rank}..${rank - 1})`,
    );
  }
  return normalized;
}
