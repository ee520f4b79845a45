// Graph surgery that gives an exported decoder LM (input_ids -> logits, with or without a KV cache; zoo:mini-moe's
// MoE decoder with its routing inputs and outputs included) the entry point soft prompts differentiate:
// inputs_embeds [N, L, W], the token embeddings before positions are added. The token-embedding Gather's output
// becomes the graph input inputs_embeds and Shape(input_ids) reads the first two dims of inputs_embeds instead;
// every other input (attention_mask, position_ids, past_key_values.*, routing inputs) and every output stay as
// they are. Anything else that still reads the ids is refused, naming the node and the pattern expected. The
// lookup itself is cut out too, as embed_tokens (input_ids -> inputs_embeds). The caller checks the cut graph
// against the original (verifyDecoderEmbedsCut).
import type { onnx } from 'onnx-proto';
import { embedsShapeNodes, idsShapeReplacement, isTableGather, nodeName, toNumber } from './graph-helpers.js';
import { extractSubgraph, GraphSurgeryError, neededNodes } from './subgraph.js';

/** The pattern the cut looks for, quoted in every error. */
export const EXPECTED_DECODER_PATTERN =
  'a graph input input_ids read by exactly one Gather(<token-embedding initializer [vocab, width]>, input_ids) ' +
  '(directly or through Cast/Identity) and otherwise only by Shape nodes';

/** Ops that keep the ids' shape: a Shape reading their output is still Shape(input_ids). */
const SAME_SHAPE_OPS = new Set(['Cast', 'Identity']);

export interface DecoderEmbedsCut {
  /** inputs_embeds [N, L, W] + the original inputs except input_ids -> the original outputs. */
  readonly decoderEmbeds: onnx.IModelProto;
  /** input_ids -> inputs_embeds. */
  readonly tokenEmbedding: onnx.IModelProto;
  readonly report: {
    readonly tokenGather: string;
    readonly tokenTable: string;
    readonly vocabSize: number;
    readonly width: number;
    /** Shape nodes now reading inputs_embeds. */
    readonly shapeNodes: readonly string[];
    readonly inputs: readonly string[];
    readonly nodesBefore: number;
    readonly nodesAfter: number;
  };
}

const fail = (what: string) =>
  new GraphSurgeryError(
    `cannot cut an inputs_embeds entry point from the decoder: ${what}; expected ${EXPECTED_DECODER_PATTERN}`,
  );

/** Cuts the inputs-embeds entry point out of a decoder LM; throws GraphSurgeryError naming the pattern expected. */
export function cutDecoderEmbedsEntry(model: onnx.IModelProto): DecoderEmbedsCut {
  const graph = model.graph;
  if (!graph) throw fail('the model has no graph');
  const nodes = graph.node ?? [];
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const graphInputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ''));
  const idsInput = graphInputs.find((i) => i.name === 'input_ids');
  if (!idsInput) {
    throw fail(`the graph has no input_ids input (inputs: ${graphInputs.map((i) => i.name).join(', ')})`);
  }
  if ((graph.output ?? []).length === 0) throw fail('the graph has no outputs');

  // The ids and their cast/identity aliases; the one table Gather; the Shape nodes; any other reader.
  const aliases = new Set<string>(['input_ids']);
  const gathers: { node: onnx.INodeProto; index: number }[] = [];
  const shapes: { node: onnx.INodeProto; index: number }[] = [];
  const others: { node: onnx.INodeProto; index: number }[] = [];
  nodes.forEach((node, index) => {
    const inputs = node.input ?? [];
    if (!inputs.some((i) => aliases.has(i))) return;
    const op = node.opType ?? '';
    if (aliases.has(inputs[1] ?? '') && isTableGather(node, initializers)) gathers.push({ node, index });
    else if (op === 'Shape' && aliases.has(inputs[0] ?? '')) shapes.push({ node, index });
    else if (SAME_SHAPE_OPS.has(op) && aliases.has(inputs[0] ?? '')) {
      for (const o of node.output ?? []) aliases.add(o);
    } else others.push({ node, index });
  });
  if (gathers.length !== 1) {
    throw fail(
      `found ${gathers.length} token-embedding lookups over input_ids (${
        gathers.map((g) => nodeName(g.node, g.index)).join(', ') || 'none'
      })`,
    );
  }
  const gather = gathers[0]!;
  const table = initializers.get(gather.node.input![0]!)!;
  const [vocabSize, width] = (table.dims ?? []).map(toNumber) as [number, number];
  const embedsOut = gather.node.output![0]!;

  const prefix = 'surgery/';
  const embedsShape2 = `${prefix}inputs_embeds_shape_NL`;
  const extraInitializers: onnx.ITensorProto[] = [];
  const front: onnx.INodeProto[] = [];
  if (shapes.length > 0) {
    const shape = embedsShapeNodes(prefix, embedsShape2);
    front.push(...shape.nodes);
    extraInitializers.push(...shape.initializers);
  }
  const shapeSet = new Set(shapes.map((s) => s.node));
  const rewritten = nodes.map((node, index) => {
    if (node === gather.node) {
      return {
        opType: 'Identity',
        name: `${prefix}inputs_embeds`,
        input: ['inputs_embeds'],
        output: [embedsOut],
      };
    }
    if (shapeSet.has(node)) return idsShapeReplacement(node, index, prefix, embedsShape2, extraInitializers);
    return node;
  });
  const cutGraph: onnx.IGraphProto = {
    ...graph,
    node: [...front, ...rewritten],
    initializer: [...(graph.initializer ?? []), ...extraInitializers],
  };
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  const { nodes: live, missing } = neededNodes(cutGraph, outputs, new Set(['inputs_embeds']));
  if (missing.includes('input_ids')) {
    const first = live.find((n) => (n.input ?? []).some((i) => aliases.has(i)));
    const other = others.find((o) => o.node === first) ?? others[0];
    throw fail(
      `node '${other ? nodeName(other.node, other.index) : (first?.name ?? '?')}' (${(other?.node ?? first)?.opType ?? '?'}) ` +
        `still reads the ids after the token-embedding Gather '${nodeName(gather.node, gather.index)}' is cut`,
    );
  }
  const idsDims = idsInput.type?.tensorType?.shape?.dim ?? [];
  const dimOf = (i: number, fallback: string): onnx.TensorShapeProto.IDimension =>
    idsDims[i]?.dimParam || idsDims[i]?.dimValue ? idsDims[i]! : { dimParam: fallback };
  const embedsInfo: onnx.IValueInfoProto = {
    name: 'inputs_embeds',
    type: {
      tensorType: {
        elemType: table.dataType ?? 1,
        shape: { dim: [dimOf(0, 'batch_size'), dimOf(1, 'sequence_length'), { dimValue: width }] },
      },
    },
  };
  // Every other input stays, in the original order after inputs_embeds, so the feeds are the original's
  // minus input_ids plus inputs_embeds.
  const keptInputs = graphInputs.filter((i) => i.name !== 'input_ids');
  const decoderEmbeds = extractSubgraph(
    { ...model, graph: cutGraph },
    {
      inputs: ['inputs_embeds', ...keptInputs.map((i) => i.name ?? '')],
      outputs: outputs.map((o) => [o, o] as const),
      inputInfos: [embedsInfo, ...keptInputs],
      name: `${graph.name ?? 'decoder'}_embeds`,
    },
  );
  const tokenEmbedding = extractSubgraph(model, {
    inputs: ['input_ids'],
    outputs: [[embedsOut, 'inputs_embeds']],
    name: 'embed_tokens',
  });
  return {
    decoderEmbeds,
    tokenEmbedding,
    report: {
      tokenGather: nodeName(gather.node, gather.index),
      tokenTable: table.name ?? '',
      vocabSize,
      width,
      shapeNodes: shapes.map((s) => nodeName(s.node, s.index)),
      inputs: decoderEmbeds.graph?.input?.map((i) => i.name ?? '') ?? [],
      nodesBefore: nodes.length,
      nodesAfter: decoderEmbeds.graph?.node?.length ?? 0,
    },
  };
}
