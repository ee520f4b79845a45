// The LM's training loss as part of its ONNX graph, so one onnxruntime run of the VJP graph gives the loss and
// d loss / d inputs_embeds (no separate forward to get the logits' cotangent first):
//   loss = − Σ_{b,t} w[b,t] · log softmax(logits[b,t])[target[b,t]]
// with w = 1/N on the N label-token positions of the batch and 0 elsewhere — torch's CrossEntropyLoss with
// ignore_index −100 and mean reduction, i.e. the loss on the label tokens only (DePT's train.py).
// Graph inputs added: target_ids int64 [batch, T], target_weights float [batch, T]; the only output: loss [].
import onnxProto, { type onnx } from 'onnx-proto';

export const TARGET_IDS = 'target_ids';
export const TARGET_WEIGHTS = 'target_weights';
export const LOSS = 'loss';

const { AttributeType } = onnxProto.onnx.AttributeProto;
const INT64 = 7;
const FLOAT = 1;

function opsetOf(model: onnx.IModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return Number(entry?.version ?? 0);
}

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

/**
 * Appends the masked cross-entropy to a decoder taking inputs_embeds and producing logits [b, T, V].
 * The returned model's only output is `loss`; the KV-cache outputs are dropped (nothing computes them).
 */
export function withLabelLoss(model: onnx.IModelProto, logitsName = 'logits'): onnx.IModelProto {
  const graph = model.graph;
  if (!graph) throw new Error('withLabelLoss: the model has no graph');
  if (!(graph.output ?? []).some((o) => o.name === logitsName)) {
    throw new Error(
      `withLabelLoss: the decoder has no output "${logitsName}"; outputs: ${(graph.output ?? []).map((o) => o.name).join(', ')}`,
    );
  }
  const opset = opsetOf(model);
  if (opset < 13) {
    throw new Error(`withLabelLoss: needs an ONNX opset >= 13 decoder (axes as inputs), got opset ${opset}`);
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
      node: [...(graph.node ?? []), ...nodes],
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
