import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { onnx } from 'onnx-proto';
import type { OnnxDType } from './host-tensor.js';
import { toNumber } from './long.js';

/** ONNX TensorProto.DataType codes, by numpy name. */
export const DTYPE_BY_CODE: Readonly<Record<number, OnnxDType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

export function dtypeFromCode(code: number, what: string): OnnxDType {
  const dtype = DTYPE_BY_CODE[code];
  if (!dtype) {
    throw new Error(`${what}: ONNX element type ${code} is not supported (complex types are not)`);
  }
  return dtype;
}

/**
 * The decoded values of a TensorProto: float types as Float32Array (tfjs computes in float32), integers up
 * to 32 bits as Int32Array, 64-bit integers as Float64Array (exact up to 2^53; range-checked when they
 * become int32 tensors), bool as Uint8Array.
 */
export interface DecodedTensor {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly shape: number[];
  readonly values: Float32Array | Int32Array | Float64Array | Uint8Array;
}

export function decodeTensorProto(proto: onnx.ITensorProto, modelDir: string | undefined): DecodedTensor {
  const name = proto.name ?? '';
  const what = `tensor '${name}'`;
  const dtype = dtypeFromCode(proto.dataType ?? 0, what);
  if (dtype === 'string') throw new Error(`${what}: string tensors are not supported`);
  const shape = (proto.dims ?? []).map(toNumber);
  const size = shape.reduce((a, b) => a * b, 1);
  const raw = proto.dataLocation === 1 ? readExternalData(proto, modelDir, what) : proto.rawData;
  const values = raw && raw.length > 0 ? decodeRaw(raw, dtype) : decodeTyped(proto, dtype);
  if (values.length !== size) {
    throw new Error(
      `${what}: shape [${shape.join(',')}] needs ${size} values, the file holds ${values.length}`,
    );
  }
  return { name, dtype, shape, values };
}

function readExternalData(proto: onnx.ITensorProto, modelDir: string | undefined, what: string): Uint8Array {
  const entries = new Map((proto.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new Error(`${what}: external data without a 'location' entry`);
  if (modelDir === undefined && !isAbsolute(location)) {
    throw new Error(`${what}: stored in external file '${location}'; load the model from a path, not bytes`);
  }
  const file = readFileSync(isAbsolute(location) ? location : join(modelDir ?? '', location));
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : file.length - offset;
  return file.subarray(offset, offset + length);
}

function decodeRaw(raw: Uint8Array, dtype: OnnxDType): DecodedTensor['values'] {
  // Copy into a fresh, aligned buffer: protobuf hands out (Buffer) views at arbitrary byte offsets.
  const buffer = new Uint8Array(raw).buffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return Float32Array.from(new Float64Array(buffer));
    case 'float16':
      return Float32Array.from(new Uint16Array(buffer), halfToFloat);
    case 'bfloat16':
      return Float32Array.from(new Uint16Array(buffer), bfloatToFloat);
    case 'int8':
      return Int32Array.from(new Int8Array(buffer));
    case 'uint8':
      return Int32Array.from(new Uint8Array(buffer));
    case 'int16':
      return Int32Array.from(new Int16Array(buffer));
    case 'uint16':
      return Int32Array.from(new Uint16Array(buffer));
    case 'int32':
      return new Int32Array(buffer);
    case 'uint32':
      return Float64Array.from(new Uint32Array(buffer));
    case 'int64':
      return Float64Array.from(new BigInt64Array(buffer), Number);
    case 'uint64':
      return Float64Array.from(new BigUint64Array(buffer), Number);
    case 'bool':
      return new Uint8Array(buffer);
    default:
      throw new Error(`raw data of type ${dtype} is not supported`);
  }
}

function decodeTyped(proto: onnx.ITensorProto, dtype: OnnxDType): DecodedTensor['values'] {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(proto.floatData ?? []);
    case 'float64':
      return Float32Array.from(proto.doubleData ?? []);
    // float16/bfloat16 are stored as their bit patterns in int32_data.
    case 'float16':
      return Float32Array.from(proto.int32Data ?? [], halfToFloat);
    case 'bfloat16':
      return Float32Array.from(proto.int32Data ?? [], bfloatToFloat);
    case 'bool':
      return Uint8Array.from(proto.int32Data ?? []);
    case 'int64':
      return Float64Array.from((proto.int64Data ?? []).map(toNumber));
    case 'uint32':
    case 'uint64':
      return Float64Array.from((proto.uint64Data ?? []).map(toNumber));
    default:
      return Int32Array.from(proto.int32Data ?? []);
  }
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function bfloatToFloat(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, (bits & 0xffff) << 16);
  return view.getFloat32(0);
}
