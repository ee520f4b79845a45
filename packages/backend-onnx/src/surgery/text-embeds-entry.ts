// Graph surgery that gives any exported CLIP text tower (input_ids -> text_embeds) the entry point prompt
// tuning differentiates: inputs_embeds [N,L,W] (the token embeddings, before positions are added) and
// eot_index [N] (the pooled position). The token-embedding Gather's output becomes the graph input
// inputs_embeds; the ArgMax that finds the pooled position from the ids (argmax(ids), or
// argmax(ids == eos)) becomes the graph input eot_index; Shape(input_ids) reads the first two dims of
// inputs_embeds instead; an attention_mask input becomes all ones (CLIP's causal mask already keeps what
// follows the end token out of the pooled row). Anything else that still reads the ids is refused, naming
// the node and the pattern expected. The lookup itself is cut out too, as token_embedding (input_ids ->
// inputs_embeds). The caller checks the cut graph against the original (verifyTextEmbedsCut).
import onnxProto, { type onnx } from 'onnx-proto';
import {
  attrInt,
  embedsShapeNodes,
  ID_ALIAS_OPS,
  INT64,
  idsShapeReplacement,
  int64Initializer,
  isTableGather,
  nodeName,
  opsetOf,
  toNumber,
} from './graph-helpers.js';
import { extractSubgraph, GraphSurgeryError, neededNodes } from './subgraph.js';

const { AttributeType } = onnxProto.onnx.AttributeProto;

/** The pattern the cut looks for, quoted in every error. */
export const EXPECTED_TEXT_PATTERN =
  'input_ids -> [Cast/Reshape/...] -> Gather(<token-embedding initializer [vocab, width]>, ids) for the token ' +
  'embeddings, and ArgMax over input_ids (or over input_ids == eos) for the pooled position; other uses of ' +
  'input_ids only through Shape';

export interface TextEmbedsCut {
  /** inputs_embeds [N,L,W], eot_index [N] (int64) -> text_embeds. */
  readonly textModelEmbeds: onnx.IModelProto;
  /** input_ids -> inputs_embeds. */
  readonly tokenEmbedding: onnx.IModelProto;
  readonly report: {
    readonly tokenGather: string;
    readonly tokenTable: string;
    readonly vocabSize: number;
    readonly width: number;
    /** The ArgMax node that found the pooled position. */
    readonly pooling: string;
    /** Shape nodes now reading inputs_embeds; attention_mask replaced by ones (if the graph had one). */
    readonly shapeNodes: readonly string[];
    readonly attentionMaskReplaced: boolean;
    readonly nodesBefore: number;
    readonly nodesAfter: number;
  };
}

/**
 * Cuts the inputs-embeds entry point out of a CLIP text tower. Throws GraphSurgeryError naming the expected
 * pattern when the graph does not have it.
 */
export function cutTextEmbedsEntry(
  model: onnx.IModelProto,
  options: { output?: string } = {},
): TextEmbedsCut {
  const graph = model.graph;
  if (!graph) throw new GraphSurgeryError('the text model has no graph');
  const outputName = options.output ?? 'text_embeds';
  const nodes = graph.node ?? [];
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const idsInput = (graph.input ?? []).find((i) => i.name === 'input_ids');
  if (!idsInput) {
    throw new GraphSurgeryError(
      `cannot cut an inputs_embeds entry point: the graph has no input_ids input (inputs: ${(
        graph.input ?? []
      )
        .filter((i) => !initializers.has(i.name ?? ''))
        .map((i) => i.name)
        .join(', ')}); expected ${EXPECTED_TEXT_PATTERN}`,
    );
  }
  if (!(graph.output ?? []).some((o) => o.name === outputName)) {
    throw new GraphSurgeryError(
      `cannot cut an inputs_embeds entry point: the graph has no ${outputName} output (outputs: ${(
        graph.output ?? []
      )
        .map((o) => o.name)
        .join(', ')})`,
    );
  }

  // The ids and their reshaped/cast aliases; and everything computed from the ids' values (not their shape).
  const aliases = new Set<string>(['input_ids']);
  const fromIds = new Set<string>(['input_ids']);
  const gathers: { node: onnx.INodeProto; index: number }[] = [];
  const argmaxes: { node: onnx.INodeProto; index: number }[] = [];
  nodes.forEach((node, index) => {
    const inputs = node.input ?? [];
    const op = node.opType ?? '';
    if (aliases.has(inputs[1] ?? '') && isTableGather(node, initializers)) {
      gathers.push({ node, index });
      return; // its output is float embeddings, not ids
    }
    if (op === 'Shape') return; // the ids' shape, not their values
    if (!inputs.some((i) => fromIds.has(i))) return;
    if (op === 'ArgMax') argmaxes.push({ node, index });
    if (ID_ALIAS_OPS.has(op) && aliases.has(inputs[0] ?? ''))
      for (const o of node.output ?? []) aliases.add(o);
    for (const o of node.output ?? []) fromIds.add(o);
  });
  if (gathers.length !== 1) {
    throw new GraphSurgeryError(
      `cannot cut an inputs_embeds entry point: found ${gathers.length} token-embedding lookups ` +
        `(${gathers.map((g) => nodeName(g.node, g.index)).join(', ') || 'none'}); expected exactly one: ${EXPECTED_TEXT_PATTERN}`,
    );
  }
  if (argmaxes.length !== 1) {
    throw new GraphSurgeryError(
      `cannot cut an inputs_embeds entry point: found ${argmaxes.length} ArgMax nodes over the ids ` +
        `(${argmaxes.map((a) => nodeName(a.node, a.index)).join(', ') || 'none'}) where the pooled position is ` +
        `found; expected exactly one: ${EXPECTED_TEXT_PATTERN}`,
    );
  }
  const gather = gathers[0]!;
  const argmax = argmaxes[0]!;
  const table = initializers.get(gather.node.input![0]!)!;
  const [vocabSize, width] = (table.dims ?? []).map(toNumber) as [number, number];
  const embedsOut = gather.node.output![0]!;
  const poolOut = argmax.node.output![0]!;
  const opset = opsetOf(model);
  const attentionMask = (graph.input ?? []).find((i) => i.name === 'attention_mask');

  // The rewritten nodes, in the original order (replacements take the place of what they replace).
  const prefix = 'surgery/';
  const extraInitializers: onnx.ITensorProto[] = [];
  const front: onnx.INodeProto[] = [];
  const embedsShape2 = `${prefix}inputs_embeds_shape_NL`;
  let needsShape2 = false;
  const shapeNodes: string[] = [];
  const rewritten: onnx.INodeProto[] = [];
  nodes.forEach((node, index) => {
    if (node === gather.node) {
      rewritten.push({
        opType: 'Identity',
        name: `${prefix}inputs_embeds`,
        input: ['inputs_embeds'],
        output: [embedsOut],
      });
      return;
    }
    if (node === argmax.node) {
      const keep = attrInt(node, 'keepdims', 1) === 1;
      if (keep) {
        const axes = `${prefix}unsqueeze_axes`;
        extraInitializers.push(int64Initializer(axes, [-1]));
        rewritten.push(
          opset >= 13
            ? {
                opType: 'Unsqueeze',
                name: `${prefix}eot_index`,
                input: ['eot_index', axes],
                output: [poolOut],
              }
            : {
                opType: 'Unsqueeze',
                name: `${prefix}eot_index`,
                input: ['eot_index'],
                output: [poolOut],
                attribute: [{ name: 'axes', type: AttributeType.INTS, ints: [-1] }],
              },
        );
      } else {
        rewritten.push({
          opType: 'Identity',
          name: `${prefix}eot_index`,
          input: ['eot_index'],
          output: [poolOut],
        });
      }
      return;
    }
    if (node.opType === 'Shape' && aliases.has(node.input?.[0] ?? '')) {
      // Shape(ids) == Shape(inputs_embeds)[0:2]; a Shape with start/end slices that.
      needsShape2 = true;
      shapeNodes.push(nodeName(node, index));
      rewritten.push(idsShapeReplacement(node, index, prefix, embedsShape2, extraInitializers));
      return;
    }
    rewritten.push(node);
  });
  if (needsShape2 || attentionMask) {
    const shape = embedsShapeNodes(prefix, embedsShape2);
    extraInitializers.push(...shape.initializers);
    front.push(...shape.nodes);
  }
  if (attentionMask) {
    const elemType = attentionMask.type?.tensorType?.elemType ?? INT64;
    front.push({
      opType: 'ConstantOfShape',
      name: `${prefix}attention_mask_ones`,
      input: [embedsShape2],
      output: ['attention_mask'],
      attribute: [
        {
          name: 'value',
          type: AttributeType.TENSOR,
          t:
            elemType === INT64
              ? { dataType: INT64, dims: [1], int64Data: [1] }
              : { dataType: elemType, dims: [1], floatData: [1] },
        },
      ],
    });
  }

  // Keep what text_embeds needs; nothing it needs may still read the ids.
  const cutGraph: onnx.IGraphProto = {
    ...graph,
    node: [...front, ...rewritten],
    initializer: [...(graph.initializer ?? []), ...extraInitializers],
  };
  const stops = new Set(['inputs_embeds', 'eot_index']);
  const { nodes: live, missing } = neededNodes(cutGraph, [outputName], stops);
  if (missing.includes('input_ids')) {
    // Something text_embeds needs still reads the ids: name the first such node.
    const first = live.find((n) => (n.input ?? []).some((i) => aliases.has(i)));
    throw new GraphSurgeryError(
      `cannot cut an inputs_embeds entry point: node '${first?.name ?? '?'}' (${first?.opType ?? '?'}) ` +
        `still reads the ids after the token-embedding Gather '${nodeName(gather.node, gather.index)}' and the pooling ` +
        `ArgMax '${nodeName(argmax.node, argmax.index)}' are cut; expected ${EXPECTED_TEXT_PATTERN}`,
    );
  }
  // Other graph inputs the cut graph still needs (rare: e.g. position_ids) stay inputs.
  const keptInputs = (graph.input ?? []).filter(
    (i) => !initializers.has(i.name ?? '') && i.name !== 'input_ids' && missing.includes(i.name ?? ''),
  );
  const embedsInfo: onnx.IValueInfoProto = {
    name: 'inputs_embeds',
    type: {
      tensorType: {
        elemType: table.dataType ?? 1,
        shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }, { dimValue: width }] },
      },
    },
  };
  const eotInfo: onnx.IValueInfoProto = {
    name: 'eot_index',
    type: { tensorType: { elemType: INT64, shape: { dim: [{ dimParam: 'batch' }] } } },
  };
  const textModelEmbeds = extractSubgraph(
    { ...model, graph: cutGraph },
    {
      inputs: ['inputs_embeds', 'eot_index', ...keptInputs.map((i) => i.name ?? '')],
      outputs: [[outputName, 'text_embeds']],
      inputInfos: [embedsInfo, eotInfo, ...keptInputs],
      name: `${graph.name ?? 'text_model'}_embeds`,
    },
  );
  const tokenEmbedding = extractSubgraph(model, {
    inputs: ['input_ids'],
    outputs: [[embedsOut, 'inputs_embeds']],
    name: 'token_embedding',
  });
  return {
    textModelEmbeds,
    tokenEmbedding,
    report: {
      tokenGather: nodeName(gather.node, gather.index),
      tokenTable: table.name ?? '',
      vocabSize,
      width,
      pooling: nodeName(argmax.node, argmax.index),
      shapeNodes,
      attentionMaskReplaced: attentionMask !== undefined,
      nodesBefore: nodes.length,
      nodesAfter: textModelEmbeds.graph?.node?.length ?? 0,
    },
  };
}

/** Encodes a model to bytes (onnxruntime loads them; the cache writes them). */
export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnxProto.onnx.ModelProto.encode(onnxProto.onnx.ModelProto.fromObject(model as object)).finish();
}

export function decodeModel(bytes: Uint8Array): onnx.IModelProto {
  return onnxProto.onnx.ModelProto.decode(bytes);
}
