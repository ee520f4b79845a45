/**
 * Read an ONNX file's interface (input/output names and shapes, opsets, op types) without running it,
 * so a folder can be checked before any runtime is loaded. Parsing uses onnx-proto (the ONNX protobuf
 * schema compiled for protobufjs), the same decoder attune's tfjs executor uses.
 */
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { ZooError } from './errors.js';

const { onnx } = onnxProto;

export interface OnnxValueInfo {
  readonly name: string;
  /** Element type name as ONNX spells it, e.g. 'FLOAT', 'INT64'. */
  readonly elementType: string;
  /** Dimensions: a number when fixed, the symbolic name (e.g. 'batch') or null when dynamic. */
  readonly shape: readonly (number | string | null)[];
}

export interface OnnxSummary {
  readonly irVersion: number;
  readonly opsets: Readonly<Record<string, number>>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly opTypes: readonly string[];
  readonly nodeCount: number;
  /** Elements stored in the graph's initializers (its weights). */
  readonly initializerElements: number;
}

export class InvalidOnnxError extends ZooError {
  override readonly name = 'InvalidOnnxError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file} is not a valid ONNX model (${reason}); re-export it or restore the original file`);
  }
}

const ELEMENT_TYPES = onnx.TensorProto.DataType as unknown as Record<number, string>;

function toNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function valueInfo(v: onnxProto.onnx.IValueInfoProto): OnnxValueInfo {
  const tensor = v.type?.tensorType;
  const dims = tensor?.shape?.dim ?? [];
  return {
    name: v.name ?? '',
    elementType: ELEMENT_TYPES[tensor?.elemType ?? 0] ?? 'UNDEFINED',
    shape: dims.map((d) =>
      d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue) : null,
    ),
  };
}

/** Decode ONNX bytes; `file` names the file in errors. */
export function inspectOnnxBytes(bytes: Uint8Array, file: string): OnnxSummary {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new InvalidOnnxError(file, `protobuf decoding failed: ${(e as Error).message}`);
  }
  const graph = model.graph;
  if (!graph) throw new InvalidOnnxError(file, 'it has no graph');
  if (toNumber(model.irVersion) <= 0) throw new InvalidOnnxError(file, 'it has no IR version');
  const nodes = graph.node ?? [];
  const initializers = graph.initializer ?? [];
  if (nodes.length === 0) throw new InvalidOnnxError(file, 'its graph has no nodes');
  const initializerNames = new Set(initializers.map((t) => t.name));
  const initializerElements = initializers.reduce(
    (sum, t) => sum + (t.dims ?? []).reduce((p: number, d) => p * toNumber(d), 1),
    0,
  );
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) opsets[o.domain || 'ai.onnx'] = toNumber(o.version);
  return {
    irVersion: toNumber(model.irVersion),
    opsets,
    // Older exporters list initializers among the inputs; they are weights, not inputs.
    inputs: (graph.input ?? []).filter((i) => !initializerNames.has(i.name)).map(valueInfo),
    outputs: (graph.output ?? []).map(valueInfo),
    opTypes: [...new Set(nodes.map((n) => n.opType ?? ''))].sort(),
    nodeCount: nodes.length,
    initializerElements,
  };
}

export async function inspectOnnx(path: string, displayName = path): Promise<OnnxSummary> {
  return inspectOnnxBytes(await readFile(path), displayName);
}
