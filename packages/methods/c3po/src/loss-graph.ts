// The NGD surrogate as part of zoo:mini-moe's ONNX graph, so one onnxruntime run of the VJP graph gives the
// loss and d loss / d routing_override (no separate forward for the logits' cotangent):
//   loss = − Σ_{b,t} w[b,t] · log softmax(logits[b,t])[target[b,t]]
// with w = K_b / Σ K on each prompt's last position and 0 elsewhere (the oracle: w = 1 on the test prompt).
// The same pattern as DePT's loss graph (packages/methods/dept/src/loss-graph.ts).
// The graph's override floor is `Clip(x, 1e-10)`, which the VJP builder has no rule for; with only a lower
// bound it is `Max(x, 1e-10)` (same value, and the gradient passes where x > 1e-10 as torch's clamp does
// away from the floor), so it is rewritten to that.
import onnxProto, { type onnx } from 'onnx-proto';

export const TARGET_IDS = 'target_ids';
export const TARGET_WEIGHTS = 'target_weights';
export const LOSS = 'loss';

const { AttributeType } = onnxProto.onnx.AttributeProto;
const INT64 = 7;
const FLOAT = 1;

function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Clip with a lower bound only → Max (the VJP builder has a Max rule). A Clip with an upper bound is refused. */
export function clipFloorToMax(node: onnx.INodeProto): onnx.INodeProto {
  if (node.opType !== 'Clip') return node;
  const [x, min, max] = node.input ?? [];
  if (max || !min) {
    throw new Error(
      `routing gradient: Clip node '${node.name}' has an upper bound or no lower bound; only the override floor Clip(x, min) is supported`,
    );
  }
  return { ...node, opType: 'Max', input: [x!, min], attribute: [] };
}

/** Appends the weighted cross-entropy to the MoE decoder; the returned model's only output is `loss`. */
export function withRoutingLoss(model: onnx.IModelProto, logitsName = 'logits'): onnx.IModelProto {
  const graph = model.graph;
  if (!graph) throw new Error('withRoutingLoss: the model has no graph');
  if (!(graph.output ?? []).some((o) => o.name === logitsName)) {
    throw new Error(
      `withRoutingLoss: the decoder has no output "${logitsName}"; outputs: ${(graph.output ?? []).map((o) => o.name).join(', ')}`,
    );
  }
  const axesLast: onnx.ITensorProto = { name: 'loss/axes_last', dataType: INT64, dims: [1], int64Data: [-1] };
  const node = (opType: string, input: string[], output: string, attribute: onnx.IAttributeProto[] = []) => ({
    opType,
    name: `loss/${output}`,
    input,
    output: [output],
    attribute,
  });
  const nodes: onnx.INodeProto[] = [
    node('LogSoftmax', [logitsName], 'loss/logp', [{ name: 'axis', type: AttributeType.INT, i: -1 }]),
    node('Unsqueeze', [TARGET_IDS, axesLast.name!], 'loss/targets3'),
    node('GatherElements', ['loss/logp', 'loss/targets3'], 'loss/picked3', [
      { name: 'axis', type: AttributeType.INT, i: 2 },
    ]),
    node('Squeeze', ['loss/picked3', axesLast.name!], 'loss/picked'),
    node('Mul', ['loss/picked', TARGET_WEIGHTS], 'loss/weighted'),
    node('ReduceSum', ['loss/weighted'], 'loss/sum', [{ name: 'keepdims', type: AttributeType.INT, i: 0 }]),
    node('Neg', ['loss/sum'], LOSS),
  ];
  return {
    ...model,
    graph: {
      ...graph,
      node: [...(graph.node ?? []).map(clipFloorToMax), ...nodes],
      initializer: [...(graph.initializer ?? []), axesLast],
      input: [
        ...(graph.input ?? []),
        valueInfo(TARGET_IDS, INT64, ['batch_size', 'sequence_length']),
        valueInfo(TARGET_WEIGHTS, FLOAT, ['batch_size', 'sequence_length']),
      ],
      output: [valueInfo(LOSS, FLOAT, [])],
    },
  };
}
