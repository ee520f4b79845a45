import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { onnx } from 'onnx-proto';
import onnxProto from 'onnx-proto';
import type { OnnxDType } from './host-tensor.js';
import { toNumber } from './long.js';
import { DTYPE_BY_CODE } from './tensor-proto.js';

/** A decoded model file and where it came from (for error messages and external data). */
export interface LoadedModel {
  readonly model: onnx.IModelProto;
  readonly graph: onnx.IGraphProto;
  /** The file path, or "<bytes>" for an in-memory model. */
  readonly source: string;
  /** Directory of the file (external tensor data lives next to it); undefined for in-memory models. */
  readonly directory: string | undefined;
  /** The version of the default ONNX operator set the model imports. */
  readonly opset: number;
}

/** Reads and decodes an ONNX file or bytes; anything that is not a valid model fails naming the source. */
export async function readOnnxModel(pathOrBytes: string | Uint8Array): Promise<LoadedModel> {
  const source = typeof pathOrBytes === 'string' ? resolve(pathOrBytes) : '<bytes>';
  let bytes: Uint8Array;
  if (typeof pathOrBytes === 'string') {
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw new Error(`cannot read ONNX model '${source}': ${(error as Error).message}`);
    }
  } else {
    bytes = pathOrBytes;
  }
  const invalid = (reason: string) => new Error(`'${source}' is not a valid ONNX model: ${reason}`);
  let model: onnx.ModelProto;
  try {
    model = onnxProto.onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw invalid(`protobuf decoding failed (${(error as Error).message})`);
  }
  const graph = model.graph;
  if (!graph || toNumber(model.irVersion) <= 0) throw invalid('no graph or IR version in the file');
  if ((graph.output ?? []).length === 0) throw invalid('the graph declares no outputs');
  const defaultDomain = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!defaultDomain) throw invalid('it imports no version of the default ONNX operator set');
  return {
    model,
    graph,
    source,
    directory: typeof pathOrBytes === 'string' ? dirname(source) : undefined,
    opset: toNumber(defaultDomain.version),
  };
}

/** A graph input or output as the model declares it: dims are numbers, symbolic names, or null if unknown. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly shape: readonly (number | string | null)[];
}

export function tensorInfo(value: onnx.IValueInfoProto): TensorInfo {
  const tensorType = value.type?.tensorType;
  const dtype = DTYPE_BY_CODE[tensorType?.elemType ?? 1] ?? 'float32';
  const dims = tensorType?.shape?.dim ?? [];
  const shape = dims.map((d) => {
    if (d.dimParam) return d.dimParam;
    // Decoded messages own only the fields the file holds; an absent dim_value means "unknown".
    return Object.hasOwn(d, 'dimValue') ? toNumber(d.dimValue) : null;
  });
  return { name: value.name ?? '', dtype, shape };
}

/** "[batch,sequence,32]" */
export function formatShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => d ?? '?').join(',')}]`;
}
