// Encodes the kit's op graphs as ONNX models in memory (onnx-proto), so every backend reads the same bytes.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface GraphNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer and integer-list attributes (axis, perm, pads, strides, keepdims …). */
  readonly attributes?: Readonly<Record<string, number | readonly number[]>>;
  /** Float attributes (epsilon, alpha …). */
  readonly floats?: Readonly<Record<string, number>>;
}

export interface GraphSpec {
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly outputs: Readonly<Record<string, readonly number[]>>;
  readonly nodes: readonly GraphNode[];
  /** float32 weights (name -> shape and values). */
  readonly weights?: Readonly<Record<string, { dims: readonly number[]; values: readonly number[] }>>;
  /** int64 constants such as Reshape's target shape. */
  readonly int64s?: Readonly<Record<string, { dims: readonly number[]; values: readonly number[] }>>;
}

// ONNX enums: TensorProto FLOAT = 1, INT64 = 7; AttributeProto FLOAT = 1, INT = 2, INTS = 7.
const FLOAT = 1;
const INT64 = 7;

function attributesOf(node: GraphNode) {
  const ints = Object.entries(node.attributes ?? {}).map(([name, value]) =>
    typeof value === 'number' ? { name, type: 2, i: value } : { name, type: 7, ints: [...value] },
  );
  const floats = Object.entries(node.floats ?? {}).map(([name, f]) => ({ name, type: 1, f }));
  return [...ints, ...floats];
}

/** The model bytes of one graph at opset 13 (every op the kit uses has kept its signature since). */
export function encodeGraph(name: string, spec: GraphSpec): Uint8Array {
  const valueInfo = ([valueName, dims]: [string, readonly number[]]) => ({
    name: valueName,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: '@attune/standard-tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name,
      node: spec.nodes.map((n, i) => ({
        name: `${n.op.toLowerCase()}_${i}`,
        opType: n.op,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: attributesOf(n),
      })),
      initializer: [
        ...Object.entries(spec.weights ?? {}).map(([weightName, w]) => ({
          name: weightName,
          dims: [...w.dims],
          dataType: FLOAT,
          floatData: [...w.values],
        })),
        ...Object.entries(spec.int64s ?? {}).map(([constName, c]) => ({
          name: constName,
          dims: [...c.dims],
          dataType: INT64,
          int64Data: [...c.values],
        })),
      ],
      input: Object.entries(spec.inputs).map(valueInfo),
      output: Object.entries(spec.outputs).map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
