// Small pieces the inputs-embeds cuts share (text-embeds-entry.ts for CLIP text towers, decoder-embeds-entry.ts
// for decoder LMs): attribute and opset reading, int64 constants, node names, and the rewrite of
// Shape(input_ids) into the first two dims of inputs_embeds.
import type { onnx } from 'onnx-proto';

export const INT64 = 7;
export const FLOAT_TYPES = new Set([1, 10, 11, 16]);

/** Ops through which a value is still "the ids, reshaped or cast". */
export const ID_ALIAS_OPS = new Set(['Cast', 'Reshape', 'Flatten', 'Identity', 'Squeeze', 'Unsqueeze']);

export const nodeName = (node: onnx.INodeProto, index: number) => node.name || `${node.opType}_${index}`;

export function toNumber(value: number | { toString(): string } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value.toString());
}

export function attrInt(node: onnx.INodeProto, name: string, fallback: number): number {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  return a ? toNumber(a.i) : fallback;
}

export function opsetOf(model: onnx.IModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return toNumber(entry?.version);
}

export function int64Initializer(name: string, values: readonly number[]): onnx.ITensorProto {
  return { name, dataType: INT64, dims: [values.length], int64Data: [...values] };
}

/** Shape(inputs_embeds)[0:2] as `output`: the two nodes and their constants (prefix names them). */
export function embedsShapeNodes(
  prefix: string,
  output: string,
): { nodes: onnx.INodeProto[]; initializers: onnx.ITensorProto[] } {
  const full = `${prefix}inputs_embeds_shape`;
  const s = `${prefix}shape_start`;
  const e = `${prefix}shape_end`;
  return {
    nodes: [
      { opType: 'Shape', name: `${prefix}shape_of_inputs_embeds`, input: ['inputs_embeds'], output: [full] },
      { opType: 'Slice', name: `${prefix}shape_NL`, input: [full, s, e], output: [output] },
    ],
    initializers: [int64Initializer(s, [0]), int64Initializer(e, [2])],
  };
}

/**
 * The replacement of a Shape node reading the ids [N, L]: the same value from `embedsShape2` (Shape(inputs_embeds)
 * [0:2]); a Shape with start/end slices it. Constants it needs are pushed to `initializers`.
 */
export function idsShapeReplacement(
  node: onnx.INodeProto,
  index: number,
  prefix: string,
  embedsShape2: string,
  initializers: onnx.ITensorProto[],
): onnx.INodeProto {
  const start = attrInt(node, 'start', 0);
  const hasEnd = (node.attribute ?? []).some((a) => a.name === 'end');
  if (start === 0 && !hasEnd) {
    return {
      opType: 'Identity',
      name: `${prefix}${nodeName(node, index)}`,
      input: [embedsShape2],
      output: node.output ?? [],
    };
  }
  const s = `${prefix}${nodeName(node, index)}_start`;
  const e = `${prefix}${nodeName(node, index)}_end`;
  initializers.push(
    int64Initializer(s, [start]),
    int64Initializer(e, [hasEnd ? attrInt(node, 'end', 2) : 2]),
  );
  return {
    opType: 'Slice',
    name: `${prefix}${nodeName(node, index)}`,
    input: [embedsShape2, s, e],
    output: node.output ?? [],
  };
}

/** Whether a Gather looks up rows of a float [vocab, width] initializer (a token-embedding table). */
export function isTableGather(
  node: onnx.INodeProto,
  initializers: ReadonlyMap<string, onnx.ITensorProto>,
): boolean {
  const table = initializers.get(node.input?.[0] ?? '');
  return (
    node.opType === 'Gather' &&
    table !== undefined &&
    (table.dims ?? []).length === 2 &&
    FLOAT_TYPES.has(table.dataType ?? 0) &&
    attrInt(node, 'axis', 0) === 0
  );
}
