import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface ValueSpec {
  readonly name: string;
  /** ONNX element type code: 1 float, 7 int64. */
  readonly elemType?: number;
  readonly shape: readonly (number | string)[];
}

export interface NodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  /** Integer attributes (e.g. Gather's axis). */
  readonly ints?: Readonly<Record<string, number>>;
}

/** An int64 initializer. */
export interface Int64Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

/** A float32 initializer whose bytes live in a separate file (ONNX external data). */
export interface ExternalFloatInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

/** Encodes a small ONNX model in memory, for tests that need a graph no exporter would write. */
export function buildModel(spec: {
  opset: number;
  nodes: readonly NodeSpec[];
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  initializers?: readonly Int64Initializer[];
  external?: readonly ExternalFloatInitializer[];
}): Uint8Array {
  const valueInfo = (v: ValueSpec) => ({
    name: v.name,
    type: {
      tensorType: {
        elemType: v.elemType ?? 1,
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: spec.opset }],
    graph: {
      name: 'test',
      node: spec.nodes.map((n) => ({
        name: n.name ?? '',
        opType: n.opType,
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        // AttributeProto type 2 = INT.
        attribute: Object.entries(n.ints ?? {}).map(([name, i]) => ({ name, i, type: 2 })),
      })),
      // TensorProto data type 7 = INT64.
      initializer: [
        ...(spec.initializers ?? []).map((t) => ({
          name: t.name,
          dims: [...t.dims],
          dataType: 7,
          int64Data: [...t.values],
        })),
        // data_location 1 = EXTERNAL; data type 1 = FLOAT.
        ...(spec.external ?? []).map((t) => ({
          name: t.name,
          dims: [...t.dims],
          dataType: 1,
          dataLocation: 1,
          externalData: [
            { key: 'location', value: t.location },
            { key: 'offset', value: String(t.offset) },
            { key: 'length', value: String(t.length) },
          ],
        })),
      ],
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
