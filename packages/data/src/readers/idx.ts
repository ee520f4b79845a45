import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Element types of the IDX format (LeCun's MNIST files), by their type code in byte 3 of the header. */
const IDX_TYPES = {
  8: { name: 'uint8', bytes: 1 },
  9: { name: 'int8', bytes: 1 },
  11: { name: 'int16', bytes: 2 },
  12: { name: 'int32', bytes: 4 },
  13: { name: 'float32', bytes: 4 },
  14: { name: 'float64', bytes: 8 },
} as const;

export type IdxType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['name'];

export interface IdxArray {
  readonly type: IdxType;
  readonly shape: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const GZIP_MAGIC = [0x1f, 0x8b];

function hex(byte: number | undefined): string {
  return byte === undefined ? 'end of file' : `0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Reads an IDX file (raw or gzipped) from a path or from bytes. The header is validated: two zero bytes,
 * a known type code, a dimension count, and a payload whose length matches the declared dimensions.
 */
export function readIdx(
  source: string | Uint8Array,
  label = typeof source === 'string' ? source : 'IDX bytes',
): IdxArray {
  let bytes = typeof source === 'string' ? readFileSync(source) : source;
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new Error(
        `${label}: gzip header found but the stream does not decompress (${(error as Error).message})`,
      );
    }
  }
  if (bytes.length < 4) throw new Error(`${label}: expected a 4-byte IDX header, got ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${label}: not an IDX file: expected magic bytes 0x00 0x00 at offset 0, got ${hex(bytes[0])} ${hex(bytes[1])}`,
    );
  }
  const typeCode = bytes[2]!;
  const type = IDX_TYPES[typeCode as keyof typeof IDX_TYPES];
  if (!type) {
    const known = Object.entries(IDX_TYPES)
      .map(([code, t]) => `${hex(Number(code))} (${t.name})`)
      .join(', ');
    throw new Error(`${label}: unknown IDX type code ${hex(typeCode)} at offset 2, expected one of ${known}`);
  }
  const rank = bytes[3]!;
  if (rank === 0) throw new Error(`${label}: IDX header declares 0 dimensions, expected at least 1`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(
      `${label}: IDX header declares ${rank} dimensions (${headerBytes} header bytes), file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * type.bytes;
  const payload = bytes.length - headerBytes;
  if (payload !== expected) {
    throw new Error(
      `${label}: IDX header declares ${type.name} [${shape.join(',')}] = ${expected} bytes of data, ` +
        `but ${payload} bytes follow the ${headerBytes}-byte header`,
    );
  }
  return { type: type.name, shape, data: decodePayload(view, headerBytes, count, type.name) };
}

function decodePayload(view: DataView, offset: number, count: number, type: IdxType): IdxArray['data'] {
  const start = view.byteOffset + offset;
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(start, start + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(start, start + count));
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** Builds an IDX file's bytes (big-endian, as the format requires); used to write fixtures and tests. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const entry = Object.entries(IDX_TYPES).find(([, t]) => t.name === array.type);
  if (!entry) throw new Error(`encodeIdx: unknown type ${array.type}`);
  const [code, type] = entry;
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new Error(
      `encodeIdx: shape [${array.shape.join(',')}] holds ${count} values, data has ${array.data.length}`,
    );
  }
  const header = 4 + 4 * array.shape.length;
  const out = new Uint8Array(header + count * type.bytes);
  const view = new DataView(out.buffer);
  out[2] = Number(code);
  out[3] = array.shape.length;
  array.shape.forEach((dim, d) => {
    view.setUint32(4 + 4 * d, dim, false);
  });
  for (let i = 0; i < count; i++) {
    const value = array.data[i]!;
    const at = header + i * type.bytes;
    if (type.name === 'uint8') view.setUint8(at, value);
    else if (type.name === 'int8') view.setInt8(at, value);
    else if (type.name === 'int16') view.setInt16(at, value, false);
    else if (type.name === 'int32') view.setInt32(at, value, false);
    else if (type.name === 'float32') view.setFloat32(at, value, false);
    else view.setFloat64(at, value, false);
  }
  return out;
}
