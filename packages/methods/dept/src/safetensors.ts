// A small reader/writer of the safetensors format (github.com/huggingface/safetensors, "Format"), for the
// float32 tensors of an adapter; no npm library for it installs here. The layout:
//   8 bytes  N, little-endian u64: the header's length
//   N bytes  UTF-8 JSON: { "<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
//                          "__metadata__": {"<key>": "<string>"} }   (offsets relative to the data, end exclusive)
//   data     the tensors' bytes, little-endian, row-major, back to back
// The writer pads the header with spaces to a multiple of 8 (as the reference writer does), so the data is
// aligned. The reader checks everything it relies on and names the file and what is wrong.

export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface SafetensorsContents {
  readonly tensors: Record<string, NamedTensor>;
  readonly metadata: Record<string, string>;
}

const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};
/** A header larger than this is refused (the reference implementation's limit is 100 MB). */
const MAX_HEADER = 100_000_000;

export class SafetensorsError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: not a valid safetensors file: ${problem}`);
    this.name = 'SafetensorsError';
  }
}

export function writeSafetensors(
  tensors: Readonly<Record<string, NamedTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name]!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(
        `safetensors: tensor "${name}" has shape [${t.shape.join(', ')}] but ${t.data.length} values`,
      );
    }
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors[name]!.data;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

/** Reads F32 tensors (other dtypes are refused by name). `where` names the file in errors. */
export function readSafetensors(bytes: Uint8Array, where = 'safetensors'): SafetensorsContents {
  if (bytes.length < 8)
    throw new SafetensorsError(where, `${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER || 8 + n > bytes.length) {
    throw new SafetensorsError(where, `header length ${n} does not fit the file's ${bytes.length} bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (error) {
    throw new SafetensorsError(where, `the header is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(where, 'the header is not a JSON object');
  }
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const tensors: Record<string, NamedTensor> = {};
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (
        entry === null ||
        typeof entry !== 'object' ||
        Object.values(entry).some((v) => typeof v !== 'string')
      ) {
        throw new SafetensorsError(where, '__metadata__ must map strings to strings');
      }
      metadata = { ...(entry as Record<string, string>) };
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e?.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) {
      throw new SafetensorsError(where, `tensor "${name}" has an unknown dtype ${JSON.stringify(e?.dtype)}`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every((x) => Number.isInteger(x) && x >= 0)) {
      throw new SafetensorsError(where, `tensor "${name}" has no valid shape`);
    }
    const offsets = e.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((x) => Number.isInteger(x) && x >= 0)
    ) {
      throw new SafetensorsError(where, `tensor "${name}" has no valid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const shape = e.shape as number[];
    const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[e.dtype]!;
    if (end < begin || end - begin !== expected) {
      throw new SafetensorsError(
        where,
        `tensor "${name}" [${shape.join(', ')}] ${e.dtype} needs ${expected} bytes, its offsets span ${end - begin}`,
      );
    }
    if (end > dataLength) {
      throw new SafetensorsError(
        where,
        `tensor "${name}" ends at byte ${end} of a ${dataLength}-byte data section (truncated file?)`,
      );
    }
    if (e.dtype !== 'F32') {
      throw new SafetensorsError(
        where,
        `tensor "${name}" is ${e.dtype}; this reader takes F32 adapters only`,
      );
    }
    const copy = bytes.slice(dataStart + begin, dataStart + end);
    tensors[name] = { shape, data: new Float32Array(copy.buffer, copy.byteOffset, expected / 4) };
    spans.push([begin, end, name]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== cursor) {
      throw new SafetensorsError(
        where,
        `tensor "${name}" starts at ${begin}, expected ${cursor} (data must be contiguous, without overlaps or holes)`,
      );
    }
    cursor = end;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError(
      where,
      `the tensors cover ${cursor} bytes but the data section holds ${dataLength}`,
    );
  }
  return { tensors, metadata };
}
