// The forward graph as the VJP builder reads it: nodes with attribute accessors, which values are constants,
// and what is statically known about each value's shape (rank at least) and, for small integer tensors such
// as shapes and axes, their values. Rules need ranks to build permutations; everything else is runtime shape
// arithmetic in the emitted graph.
import type { onnx } from 'onnx-proto';
import { inferShapes, type Known } from './shape-inference.js';

export interface ForwardNode {
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly proto: onnx.INodeProto;
}

const FLOAT_TYPES = new Set([1, 10, 11, 16]); // float, float16, double, bfloat16

export function isFloatType(code: number | undefined): boolean {
  return code !== undefined && FLOAT_TYPES.has(code);
}

export function toNumber(value: number | Long | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value.toString());
}

interface Long {
  toString(): string;
}

export class ForwardGraph {
  readonly nodes: readonly ForwardNode[];
  readonly opset: number;
  readonly initializers: ReadonlySet<string>;
  readonly graphInputs: readonly onnx.IValueInfoProto[];
  readonly graphOutputs: readonly onnx.IValueInfoProto[];
  readonly known: ReadonlyMap<string, Known>;

  constructor(readonly model: onnx.IModelProto) {
    const graph = model.graph;
    if (!graph) throw new Error('VJP: the model has no graph');
    const defaultDomain = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
    if (!defaultDomain) throw new Error('VJP: the model imports no version of the default ONNX operator set');
    this.opset = toNumber(defaultDomain.version);
    this.initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
    this.graphInputs = (graph.input ?? []).filter((i) => !this.initializers.has(i.name ?? ''));
    this.graphOutputs = graph.output ?? [];
    this.nodes = (graph.node ?? []).map((proto, index) => ({
      index,
      name: proto.name || `${proto.opType}_${index}`,
      opType: proto.opType ?? '',
      domain: proto.domain ?? '',
      inputs: proto.input ?? [],
      outputs: proto.output ?? [],
      proto,
    }));
    this.known = inferShapes(graph, this.nodes, this.opset);
  }

  /** The element type of a value, where the file or inference knows it. */
  elemType(name: string): number | undefined {
    return this.known.get(name)?.elemType;
  }

  rankOf(name: string): number | undefined {
    return this.known.get(name)?.shape?.length;
  }
}

// ---- attribute access -------------------------------------------------------------------------------

function findAttr(node: ForwardNode, name: string): onnx.IAttributeProto | undefined {
  return (node.proto.attribute ?? []).find((a) => a.name === name);
}

export function hasAttr(node: ForwardNode, name: string): boolean {
  return findAttr(node, name) !== undefined;
}

export function attrInt(node: ForwardNode, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a ? toNumber(a.i) : fallback;
}

export function attrFloat(node: ForwardNode, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a ? (a.f ?? 0) : fallback;
}

export function attrInts(node: ForwardNode, name: string): number[] | undefined {
  const a = findAttr(node, name);
  return a ? (a.ints ?? []).map(toNumber) : undefined;
}

export function attrString(node: ForwardNode, name: string, fallback: string): string {
  const a = findAttr(node, name);
  if (!a?.s) return fallback;
  return typeof a.s === 'string' ? a.s : new TextDecoder().decode(a.s);
}

export function attrTensor(node: ForwardNode, name: string): onnx.ITensorProto | undefined {
  return findAttr(node, name)?.t ?? undefined;
}
