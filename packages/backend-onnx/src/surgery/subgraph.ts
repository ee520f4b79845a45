// Cutting a sub-model out of an ONNX model: the nodes a set of outputs needs, given a set of inputs, with the
// initializers those nodes read (as onnx.utils.extract_model does). Used to split a combined CLIP model.onnx
// into its towers and to take the token-embedding lookup out of a text tower.
import type { onnx } from 'onnx-proto';

/** Thrown when a graph cannot be cut as asked; the message names what was expected. */
export class GraphSurgeryError extends Error {
  override readonly name = 'GraphSurgeryError';
}

export interface SubgraphSpec {
  /** Graph inputs of the sub-model: names of values of the model (graph inputs or node outputs). */
  readonly inputs: readonly string[];
  /** Values of the model to expose as outputs, optionally renamed: [value, outputName]. */
  readonly outputs: readonly (readonly [string, string])[];
  /** Value infos for inputs that are node outputs in the model (graph inputs keep theirs). */
  readonly inputInfos?: readonly onnx.IValueInfoProto[];
  readonly name?: string;
}

/** The node producing each value. */
export function producers(graph: onnx.IGraphProto): Map<string, onnx.INodeProto> {
  const map = new Map<string, onnx.INodeProto>();
  for (const node of graph.node ?? []) for (const out of node.output ?? []) if (out) map.set(out, node);
  return map;
}

/** Nodes (in the model's order) needed for `outputs`, stopping at `stops`; unreachable names are reported. */
export function neededNodes(
  graph: onnx.IGraphProto,
  outputs: readonly string[],
  stops: ReadonlySet<string>,
): { nodes: onnx.INodeProto[]; missing: string[] } {
  const made = producers(graph);
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const keep = new Set<onnx.INodeProto>();
  const missing: string[] = [];
  const seen = new Set<string>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (value === '' || seen.has(value)) continue;
    seen.add(value);
    if (stops.has(value) || initializers.has(value)) continue;
    const node = made.get(value);
    if (!node) {
      missing.push(value);
      continue;
    }
    if (keep.has(node)) continue;
    keep.add(node);
    stack.push(...(node.input ?? []));
  }
  return { nodes: (graph.node ?? []).filter((n) => keep.has(n)), missing };
}

/** A model holding only what `spec.outputs` need from `spec.inputs`. */
export function extractSubgraph(model: onnx.IModelProto, spec: SubgraphSpec): onnx.IModelProto {
  const graph = model.graph;
  if (!graph) throw new GraphSurgeryError('the model has no graph');
  const stops = new Set(spec.inputs);
  const { nodes, missing } = neededNodes(
    graph,
    spec.outputs.map(([value]) => value),
    stops,
  );
  const unreachable = missing;
  if (unreachable.length > 0) {
    throw new GraphSurgeryError(
      `the sub-model needs ${unreachable.map((m) => `'${m}'`).join(', ')}, which ${unreachable.length === 1 ? 'is' : 'are'} ` +
        `not among its inputs (${spec.inputs.join(', ')})`,
    );
  }
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  const keptValues = new Set(nodes.flatMap((n) => n.output ?? []));
  for (const [value] of spec.outputs) used.add(value);
  const infoOf = (name: string): onnx.IValueInfoProto =>
    spec.inputInfos?.find((i) => i.name === name) ??
    (graph.input ?? []).find((i) => i.name === name) ??
    (graph.valueInfo ?? []).find((i) => i.name === name) ?? { name };
  const renames = spec.outputs.filter(([value, name]) => value !== name);
  const outputInfo = (value: string, name: string): onnx.IValueInfoProto => {
    const known =
      (graph.output ?? []).find((o) => o.name === value) ??
      (graph.valueInfo ?? []).find((v) => v.name === value);
    return { ...(known ?? {}), name };
  };
  return {
    ...model,
    graph: {
      name: spec.name ?? graph.name ?? 'subgraph',
      node: [
        ...nodes,
        ...renames.map(([value, name]) => ({
          opType: 'Identity',
          name: `surgery/output_${name}`,
          input: [value],
          output: [name],
        })),
      ],
      initializer: (graph.initializer ?? []).filter((t) => used.has(t.name ?? '')),
      input: spec.inputs.map(infoOf),
      output: spec.outputs.map(([value, name]) => outputInfo(value, name)),
      // Shapes the export declared for values that remain (the cut changes no value's shape): gradient
      // graphs need static ranks that runtime shape arithmetic hides.
      valueInfo: (graph.valueInfo ?? []).filter(
        (v) => keptValues.has(v.name ?? '') && !stops.has(v.name ?? ''),
      ),
    },
  };
}
