import type { InferenceSession, Tensor } from 'onnxruntime-node';

/** A dimension as the model declares it: a fixed size, or a symbolic name ('' when the export left it unnamed). */
export type DeclaredDim = number | string;

/** `[batch,3,224,224]`; unnamed dynamic dimensions print as `?`. */
export function formatDeclaredShape(shape: readonly DeclaredDim[]): string {
  return `[${shape.map((d) => (d === '' ? '?' : String(d))).join(',')}]`;
}

export function formatDims(dims: readonly number[]): string {
  return `[${dims.join(',')}]`;
}

/** `pixel_values float32 [batch,3,224,224]`, used when listing a model's inputs or outputs. */
export function formatValueMetadata(meta: InferenceSession.ValueMetadata): string {
  if (!meta.isTensor) return `"${meta.name}" (not a tensor)`;
  return `"${meta.name}" ${meta.type} ${formatDeclaredShape(meta.shape)}`;
}

/** Duck-typed so tensors from another copy of onnxruntime-common still pass. */
export function isOrtTensor(value: unknown): value is Tensor {
  if (value === null || typeof value !== 'object') return false;
  const t = value as Partial<Tensor>;
  return typeof t.type === 'string' && Array.isArray(t.dims) && typeof t.location === 'string';
}

/** What a feed value is, in words, for error messages (`int32 [3,224,224]`, `a Float32Array`, ...). */
export function describeFeedValue(value: unknown): string {
  if (isOrtTensor(value)) return `${value.type} ${formatDims(value.dims)}`;
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} (raw data, not an onnxruntime Tensor)`;
  if (Array.isArray(value)) return `an array of length ${value.length} (not an onnxruntime Tensor)`;
  if (typeof value === 'object') {
    const maybeTf = value as { dtype?: unknown; shape?: unknown };
    if (typeof maybeTf.dtype === 'string' && Array.isArray(maybeTf.shape)) {
      return (
        `a tfjs tensor ${maybeTf.dtype} ${formatDims(maybeTf.shape as number[])} ` +
        '(convert it with toOrtTensor from @attune/tensor)'
      );
    }
    return `an object of type ${value.constructor?.name ?? 'Object'} (not an onnxruntime Tensor)`;
  }
  return `${typeof value} ${String(value)}`;
}
