// A small static inference over the forward graph: ranks (and dims where they are fixed), element types, and
// the values of small integer tensors (shapes, axes, indices) where they follow from constants. Unknown stays
// unknown; rules that need a rank fail naming the value when inference could not find it.
import type { onnx } from 'onnx-proto';
import type { ForwardNode } from './forward-graph.js';

export type Dim = number | null;

export interface Known {
  /** undefined: rank unknown. */
  shape?: Dim[];
  /** For small integer tensors: the values, flattened (null where unknown). */
  value?: Dim[];
  elemType?: number;
}

const BOOL = 9;
const INT64 = 7;
const SMALL = 64;

const UNARY = new Set([
  'Neg',
  'Exp',
  'Log',
  'Sqrt',
  'Relu',
  'Sigmoid',
  'Tanh',
  'Erf',
  'Gelu',
  'Abs',
  'Reciprocal',
  'Identity',
  'Softmax',
  'LogSoftmax',
  'Dropout',
  'Sin',
  'Cos',
  'LayerNormalization',
  'Softplus',
  'LeakyRelu',
  'Elu',
  'HardSigmoid',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Not',
  'IsNaN',
  'IsInf',
  'Clip',
  'CastLike',
  'Trilu',
  'Mish',
  'Selu',
  'Celu',
  'HardSwish',
  'BatchNormalization',
  'InstanceNormalization',
  'GroupNormalization',
  'SimplifiedLayerNormalization',
  'CumSum',
]);
const COMPARISON = new Set(['Equal', 'Greater', 'Less', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', 'Where', 'Sum', 'Mean']);

function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  return Number(String(v));
}

export function constantValue(t: onnx.ITensorProto): Known {
  const shape = (t.dims ?? []).map(toNum);
  const elemType = t.dataType ?? 1;
  const size = shape.reduce((a, b) => a * b, 1);
  const known: Known = { shape, elemType };
  if ((elemType === INT64 || elemType === 6) && size <= SMALL && t.dataLocation !== 1) {
    let values: number[] | undefined;
    if (t.rawData && t.rawData.length > 0) {
      const raw = t.rawData;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      values = [];
      for (let i = 0; i < size; i++)
        values.push(elemType === INT64 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true));
    } else if (elemType === INT64 && t.int64Data) values = t.int64Data.map(toNum);
    else if (t.int32Data) values = t.int32Data.map(toNum);
    if (values && values.length === size) known.value = values;
  }
  return known;
}

function broadcastShapes(shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => s!.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s![s!.length - rank + i];
      if (d === undefined || d === 1) continue;
      if (d === null) dim = dim === 1 ? null : dim;
      else dim = d;
    }
    out.push(dim);
  }
  return out;
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function elementwise(values: (Dim[] | undefined)[], f: (...xs: number[]) => number): Dim[] | undefined {
  if (values.some((v) => v === undefined)) return undefined;
  const n = Math.max(...values.map((v) => v!.length));
  if (!values.every((v) => v!.length === n || v!.length === 1)) return undefined;
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const xs = values.map((v) => (v!.length === 1 ? v![0]! : v![i]!));
    out.push(xs.some((x) => x === null) ? null : f(...(xs as number[])));
  }
  return out;
}

/** Reads `axes` from the attribute (older opsets) or the second input's known value (newer opsets). */
function axesOf(node: ForwardNode, known: Map<string, Known>, inputIndex: number): number[] | undefined {
  const attr = (node.proto.attribute ?? []).find((a) => a.name === 'axes');
  if (attr) return (attr.ints ?? []).map(toNum);
  const name = node.inputs[inputIndex];
  if (!name) return undefined;
  const v = known.get(name)?.value;
  return v?.every((x) => x !== null) ? (v as number[]) : undefined;
}

function attrI(node: ForwardNode, name: string, fallback: number): number {
  const a = (node.proto.attribute ?? []).find((x) => x.name === name);
  return a ? toNum(a.i) : fallback;
}

function attrIs(node: ForwardNode, name: string): number[] | undefined {
  const a = (node.proto.attribute ?? []).find((x) => x.name === name);
  return a ? (a.ints ?? []).map(toNum) : undefined;
}

export function inferShapes(
  graph: onnx.IGraphProto,
  nodes: readonly ForwardNode[],
  opset: number,
): Map<string, Known> {
  const known = new Map<string, Known>();
  for (const info of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const tt = info.type?.tensorType;
    if (!tt) continue;
    const shape = tt.shape
      ? (tt.shape.dim ?? []).map((d) =>
          d.dimValue != null && Object.hasOwn(d, 'dimValue') ? toNum(d.dimValue) : null,
        )
      : undefined;
    known.set(info.name ?? '', { shape, elemType: tt.elemType ?? undefined });
  }
  for (const t of graph.initializer ?? []) known.set(t.name ?? '', constantValue(t));
  for (const node of nodes) {
    try {
      inferNode(node, known, opset);
    } catch {
      // Inference is best effort: a node it cannot read leaves its outputs unknown.
    }
  }
  return known;
}

/** Records what is known of a value; returns true for `return set(...)` in inferNode. */
function set(known: Map<string, Known>, name: string | undefined, value: Known): boolean {
  if (!name) return false;
  const declared = known.get(name);
  known.set(name, {
    shape: value.shape ?? declared?.shape,
    value: value.value,
    elemType: value.elemType ?? declared?.elemType,
  });
  return true;
}

/** Infers the node's outputs; false when nothing is known of them. */
function inferNode(node: ForwardNode, known: Map<string, Known>, opset: number): boolean {
  const get = (i: number): Known | undefined => (node.inputs[i] ? known.get(node.inputs[i]!) : undefined);
  const x = get(0);
  const out = node.outputs[0];
  const op = node.opType;
  if (op === 'Constant') {
    const attr = (node.proto.attribute ?? [])[0];
    if (!attr) return false;
    if (attr.t) set(known, out, constantValue(attr.t));
    else if (attr.name === 'value_int')
      set(known, out, { shape: [], value: [toNum(attr.i)], elemType: INT64 });
    else if (attr.name === 'value_ints') {
      const v = (attr.ints ?? []).map(toNum);
      set(known, out, { shape: [v.length], value: v, elemType: INT64 });
    } else if (attr.name === 'value_float') set(known, out, { shape: [], elemType: 1 });
    else if (attr.name === 'value_floats')
      set(known, out, { shape: [(attr.floats ?? []).length], elemType: 1 });
    return true;
  }
  if (UNARY.has(op) || op === 'Cast') {
    const elemType =
      op === 'Cast' ? attrI(node, 'to', 1) : op === 'CastLike' ? get(1)?.elemType : x?.elemType;
    const keepValue = op === 'Identity' || op === 'Cast' || op === 'CastLike';
    const value = op === 'Neg' ? elementwise([x?.value], (a) => -a) : keepValue ? x?.value : undefined;
    set(known, out, { shape: x?.shape, elemType, value });
    if (op === 'Dropout' && node.outputs[1]) set(known, node.outputs[1], { shape: x?.shape, elemType: BOOL });
    return true;
  }
  if (BROADCAST.has(op) || COMPARISON.has(op)) {
    const inputs = node.inputs.map((_, i) => get(i));
    const shape = broadcastShapes(inputs.map((k) => k?.shape));
    const elemType = COMPARISON.has(op) ? BOOL : op === 'Where' ? get(1)?.elemType : x?.elemType;
    const f: Record<string, (a: number, b: number) => number> = {
      Add: (a, b) => a + b,
      Sub: (a, b) => a - b,
      Mul: (a, b) => a * b,
      Div: (a, b) => Math.trunc(a / b),
      Max: Math.max,
      Min: Math.min,
    };
    const isInt = elemType === INT64 || elemType === 6;
    const value =
      isInt && f[op] && inputs.length === 2 ? elementwise([x?.value, get(1)?.value], f[op]!) : undefined;
    return set(known, out, { shape, elemType, value });
  }
  switch (op) {
    case 'Shape': {
      if (!x?.shape) return set(known, out, { elemType: INT64, shape: undefined });
      const rank = x.shape.length;
      const start = normAxis(attrI(node, 'start', 0), rank);
      const end = normAxis(attrI(node, 'end', rank), rank);
      const dims = x.shape.slice(Math.max(0, start), Math.min(rank, end));
      return set(known, out, { shape: [dims.length], value: dims, elemType: INT64 });
    }
    case 'Size':
      return set(known, out, { shape: [], elemType: INT64 });
    case 'MatMul': {
      const a = x?.shape;
      const b = get(1)?.shape;
      if (!a || !b) return set(known, out, { elemType: x?.elemType });
      const a2 = a.length === 1 ? [1, a[0]!] : a;
      const b2 = b.length === 1 ? [b[0]!, 1] : b;
      const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)])!;
      const shape = [
        ...batch,
        ...(a.length === 1 ? [] : [a2[a2.length - 2]!]),
        ...(b.length === 1 ? [] : [b2[b2.length - 1]!]),
      ];
      return set(known, out, { shape, elemType: x?.elemType });
    }
    case 'Gemm':
      return set(known, out, { shape: [null, null], elemType: x?.elemType });
    case 'Gather': {
      const idx = get(1);
      if (!x?.shape || !idx?.shape) return set(known, out, { elemType: x?.elemType });
      const axis = normAxis(attrI(node, 'axis', 0), x.shape.length);
      const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
      let value: Dim[] | undefined;
      if (x.value && idx.value && x.shape.length === 1) {
        value = idx.value.map((i) =>
          i === null ? null : (x.value![i < 0 ? i + x.value!.length : i] ?? null),
        );
      }
      return set(known, out, { shape, elemType: x.elemType, value });
    }
    case 'GatherElements':
      return set(known, out, { shape: get(1)?.shape, elemType: x?.elemType });
    case 'Unsqueeze': {
      const axes = axesOf(node, known, 1);
      if (!x?.shape || !axes) return set(known, out, { elemType: x?.elemType });
      const rank = x.shape.length + axes.length;
      const norm = new Set(axes.map((a) => normAxis(a, rank)));
      const shape: Dim[] = [];
      let j = 0;
      for (let i = 0; i < rank; i++) shape.push(norm.has(i) ? 1 : x.shape[j++]!);
      return set(known, out, { shape, elemType: x.elemType, value: x.value });
    }
    case 'Squeeze': {
      const axes = axesOf(node, known, 1);
      if (!x?.shape) return set(known, out, { elemType: x?.elemType });
      if (!axes) {
        if (x.shape.some((d) => d === null)) return set(known, out, { elemType: x.elemType });
        return set(known, out, {
          shape: x.shape.filter((d) => d !== 1),
          elemType: x.elemType,
          value: x.value,
        });
      }
      const norm = new Set(axes.map((a) => normAxis(a, x.shape!.length)));
      return set(known, out, {
        shape: x.shape.filter((_, i) => !norm.has(i)),
        elemType: x.elemType,
        value: x.value,
      });
    }
    case 'Concat': {
      const inputs = node.inputs.map((_, i) => get(i));
      const first = inputs.find((k) => k?.shape)?.shape;
      if (!first) return set(known, out, { elemType: x?.elemType });
      const axis = normAxis(attrI(node, 'axis', 0), first.length);
      const shape = [...first];
      const sizes = inputs.map((k) => k?.shape?.[axis]);
      shape[axis] = sizes.every((s) => typeof s === 'number')
        ? (sizes as number[]).reduce((a, b) => a + b, 0)
        : null;
      const value =
        first.length === 1 && inputs.every((k) => k?.value) ? inputs.flatMap((k) => k!.value!) : undefined;
      return set(known, out, { shape, elemType: x?.elemType, value });
    }
    case 'Reshape': {
      const target = get(1);
      const n = target?.shape?.[0];
      if (typeof n !== 'number') return set(known, out, { elemType: x?.elemType });
      const shape: Dim[] = [];
      for (let i = 0; i < n; i++) {
        const d = target!.value?.[i] ?? null;
        shape.push(d === 0 ? (x?.shape?.[i] ?? null) : d === -1 ? null : d);
      }
      return set(known, out, { shape, elemType: x?.elemType, value: x?.value });
    }
    case 'Transpose': {
      if (!x?.shape) return set(known, out, { elemType: x?.elemType });
      const perm = attrIs(node, 'perm') ?? x.shape.map((_, i) => x.shape!.length - 1 - i);
      return set(known, out, { shape: perm.map((p) => x.shape![p]!), elemType: x.elemType });
    }
    case 'Slice': {
      if (!x?.shape) return set(known, out, { elemType: x?.elemType });
      const shape = x.shape.map(() => null as Dim);
      let value: Dim[] | undefined;
      const starts = get(1)?.value;
      const ends = get(2)?.value;
      const axes = get(3)?.value ?? starts?.map((_, i) => i);
      if (x.shape.length === 1 && starts && ends && axes && !node.inputs[4]) {
        const len = x.shape[0];
        if (typeof len === 'number' && starts[0] !== null && ends[0] !== null) {
          const clamp = (v: number) => Math.min(len, Math.max(0, v < 0 ? v + len : v));
          const s = clamp(starts[0]!);
          const e = clamp(ends[0]!);
          shape[0] = Math.max(0, e - s);
          if (x.value) value = x.value.slice(s, e);
        }
      } else {
        // Axes not sliced keep their size.
        const sliced = new Set((axes ?? []).map((a) => (a === null ? -999 : normAxis(a, x.shape!.length))));
        if (axes && !axes.includes(null))
          x.shape.forEach((d, i) => {
            if (!sliced.has(i)) shape[i] = d;
          });
      }
      return set(known, out, { shape, elemType: x.elemType, value });
    }
    case 'Flatten': {
      return set(known, out, { shape: [null, null], elemType: x?.elemType });
    }
    case 'Expand': {
      const target = get(1);
      const n = target?.shape?.[0];
      if (typeof n !== 'number' || !x?.shape) return set(known, out, { elemType: x?.elemType });
      const t: Dim[] = target!.value ?? Array(n).fill(null);
      return set(known, out, {
        shape: broadcastShapes([x.shape, t.map((d) => (d === 1 ? null : d))]),
        elemType: x.elemType,
      });
    }
    case 'ReduceSum':
    case 'ReduceMean':
    case 'ReduceMax':
    case 'ReduceMin':
    case 'ReduceProd':
    case 'ReduceL2':
    case 'ReduceLogSumExp':
    case 'ReduceSumSquare': {
      const axesAsInput = op === 'ReduceSum' ? opset >= 13 : opset >= 18;
      const axes = axesAsInput ? axesOf(node, known, 1) : attrIs(node, 'axes');
      const keep = attrI(node, 'keepdims', 1) === 1;
      if (!x?.shape) return set(known, out, { elemType: x?.elemType });
      const rank = x.shape.length;
      const all = !axes || axes.length === 0;
      if (all && axesAsInput && node.inputs[1] && !axes) return set(known, out, { elemType: x.elemType });
      const norm = new Set((all ? x.shape.map((_, i) => i) : axes!).map((a) => normAxis(a, rank)));
      const shape = keep
        ? x.shape.map((d, i) => (norm.has(i) ? 1 : d))
        : x.shape.filter((_, i) => !norm.has(i));
      return set(known, out, { shape, elemType: x.elemType });
    }
    case 'ArgMax':
    case 'ArgMin': {
      if (!x?.shape) return set(known, out, { elemType: INT64 });
      const axis = normAxis(attrI(node, 'axis', 0), x.shape.length);
      const keep = attrI(node, 'keepdims', 1) === 1;
      const shape = keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
      return set(known, out, { shape, elemType: INT64 });
    }
    case 'Split': {
      for (const o of node.outputs)
        set(known, o, { shape: x?.shape?.map(() => null), elemType: x?.elemType });
      return true;
    }
    case 'ConstantOfShape': {
      const n = x?.shape?.[0];
      const t = (node.proto.attribute ?? []).find((a) => a.name === 'value')?.t;
      const elemType = t?.dataType ?? 1;
      if (typeof n !== 'number') return set(known, out, { elemType });
      return set(known, out, { shape: x!.value ?? Array(n).fill(null), elemType });
    }
    case 'Range':
      return set(known, out, { shape: [null], elemType: x?.elemType });
    case 'Conv':
    case 'ConvTranspose':
    case 'MaxPool':
    case 'AveragePool':
    case 'Pad':
    case 'Tile':
    case 'Resize':
    case 'ScatterElements':
    case 'ScatterND':
      return set(known, out, { shape: x?.shape?.map(() => null), elemType: x?.elemType });
    case 'GlobalAveragePool':
      return set(known, out, { shape: x?.shape?.map((d, i) => (i < 2 ? d : 1)), elemType: x?.elemType });
    case 'TopK': {
      const shape = x?.shape?.map(() => null);
      set(known, out, { shape, elemType: x?.elemType });
      return set(known, node.outputs[1], { shape, elemType: INT64 });
    }
    case 'Einsum':
      return set(known, out, { elemType: x?.elemType });
    default:
      return false;
  }
}
