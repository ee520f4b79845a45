import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { formatDims } from './describe.js';
import { OnnxBackendError } from './errors.js';

type ValueMetadata = InferenceSession.ValueMetadata;
type TensorData = Tensor['data'];

/**
 * The inputs that carry the batch along dim 0, and the batch size. By default these are the inputs whose first
 * declared dimension is dynamic (e.g. "batch"); the others (a fixed [1] scale, say) go whole to every chunk.
 */
export function findBatchedInputs(
  inputs: readonly ValueMetadata[],
  feeds: Readonly<Record<string, Tensor>>,
  explicit?: readonly string[],
): { names: readonly string[]; rows: number } {
  const names =
    explicit ??
    inputs
      .filter((m) => m.isTensor && m.shape.length > 0 && typeof m.shape[0] === 'string')
      .map((m) => m.name);
  if (names.length === 0) {
    throw new OnnxBackendError(
      'batched run: no input has a dynamic first dimension, so there is nothing to split; ' +
        'name the batched inputs with { batchedInputs: [...] } or call run()',
    );
  }
  let rows: number | undefined;
  let first = '';
  for (const name of names) {
    const tensor = feeds[name];
    if (!tensor) {
      throw new OnnxBackendError(
        `batched run: batchedInputs names "${name}", which is not a model input (inputs: ${inputs.map((m) => m.name).join(', ')})`,
      );
    }
    if (tensor.dims.length === 0) {
      throw new OnnxBackendError(`batched run: input "${name}" is a scalar and cannot be split along dim 0`);
    }
    const n = tensor.dims[0]!;
    if (rows === undefined) {
      rows = n;
      first = name;
    } else if (n !== rows) {
      throw new OnnxBackendError(
        `batched run: inputs disagree on the batch size: "${first}" has ${rows} rows ${formatDims(feeds[first]!.dims)}, ` +
          `"${name}" has ${n} ${formatDims(tensor.dims)}; name the batched inputs with { batchedInputs: [...] }`,
      );
    }
  }
  return { names, rows: rows! };
}

function rowLength(dims: readonly number[]): number {
  let n = 1;
  for (let i = 1; i < dims.length; i++) n *= dims[i]!;
  return n;
}

/** Rows [start, end) along dim 0. Typed arrays are viewed, not copied (onnxruntime honours the byte offset). */
export function sliceRows(tensor: Tensor, start: number, end: number): Tensor {
  const width = rowLength(tensor.dims);
  const data = tensor.data;
  const part = Array.isArray(data)
    ? data.slice(start * width, end * width)
    : data.subarray(start * width, end * width);
  return new Tensor(tensor.type, part as TensorData & Float32Array, [end - start, ...tensor.dims.slice(1)]);
}

/** Joins per-chunk outputs along dim 0; every chunk must agree on the trailing dimensions. */
export function concatRows(name: string, parts: readonly Tensor[]): Tensor {
  const head = parts[0];
  if (!head) throw new OnnxBackendError(`output "${name}": no chunks to concatenate`);
  if (parts.length === 1) return head;
  const trailing = head.dims.slice(1);
  let rows = 0;
  for (const part of parts) {
    if (part.dims.length === 0 || part.dims.slice(1).join(',') !== trailing.join(',')) {
      throw new OnnxBackendError(
        `output "${name}": chunks disagree on shape (${formatDims(head.dims)} vs ${formatDims(part.dims)}), ` +
          'so they cannot be joined along dim 0; run it unbatched',
      );
    }
    rows += part.dims[0]!;
  }
  const width = rowLength(head.dims);
  const headData = head.data;
  let joined: TensorData;
  if (Array.isArray(headData)) {
    joined = parts.flatMap((p) => p.data as string[]);
  } else {
    const Ctor = headData.constructor as new (length: number) => Exclude<TensorData, string[]>;
    const out = new Ctor(rows * width);
    let offset = 0;
    for (const part of parts) {
      (out as Float32Array).set(part.data as Float32Array, offset);
      offset += part.dims[0]! * width;
    }
    joined = out;
  }
  return new Tensor(head.type, joined as Float32Array, [rows, ...trailing]);
}
