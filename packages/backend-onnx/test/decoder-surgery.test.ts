// Graph surgery on a decoder LM: the inputs_embeds entry point cut from zoo:mini-moe's onnx/model.onnx (the
// MoE decoder with routing inputs and a KV cache; it ships none) gives the original's outputs on left- and
// right-padded batches (max |diff| <= 1e-5) and is differentiable w.r.t. inputs_embeds; graphs that do not
// have the pattern are refused with the pattern named. (Real prompts through C3PO's own feeds:
// packages/methods/c3po/test/prompt-tuning.test.ts.)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { onnx } from 'onnx-proto';
import { Tensor } from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxBackend } from '../src/index.js';
import {
  cutDecoderEmbedsEntry,
  decodeModel,
  EXPECTED_DECODER_PATTERN,
  encodeModel,
  GraphSurgeryError,
  verifyDecoderEmbedsCut,
} from '../src/surgery/index.js';
import { missingGradientRules } from '../src/vjp/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const MINI_MOE = join(here, '..', '..', 'zoo', 'models', 'mini-moe', 'onnx', 'model.onnx');
const backend = createOnnxBackend({ intraOpNumThreads: 1 });
afterAll(() => backend.dispose());

/** mini-moe feeds for id rows padded on one side (pad 1, positions 0.. over the real tokens), no override. */
function moeFeeds(rows: number[][], padding: 'left' | 'right'): Record<string, Tensor> {
  const n = rows.length;
  const width = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(n * width).fill(1n);
  const mask = new BigInt64Array(n * width);
  const positions = new BigInt64Array(n * width);
  rows.forEach((row, r) => {
    const offset = padding === 'left' ? width - row.length : 0;
    row.forEach((id, i) => {
      ids[r * width + offset + i] = BigInt(id);
      mask[r * width + offset + i] = 1n;
      positions[r * width + offset + i] = BigInt(i);
    });
  });
  const feeds: Record<string, Tensor> = {
    input_ids: new Tensor('int64', ids, [n, width]),
    attention_mask: new Tensor('int64', mask, [n, width]),
    position_ids: new Tensor('int64', positions, [n, width]),
    routing_override: new Tensor('float32', new Float32Array(n * 48).fill(1 / 8), [n, 6, 8]),
    routing_override_layers: new Tensor('float32', new Float32Array(6), [6]),
  };
  for (let i = 0; i < 6; i++) {
    for (const kv of ['key', 'value']) {
      feeds[`past_key_values.${i}.${kv}`] = new Tensor('float32', new Float32Array(0), [n, 4, 0, 16]);
    }
  }
  return feeds;
}

/** Rows of BOS + varied ids of varied lengths. */
const idRows = (count: number) =>
  Array.from({ length: count }, (_, r) => [
    0,
    ...Array.from({ length: 3 + 5 * r }, (_, i) => 2 + ((r * 131 + i * 37) % 2000)),
  ]);

/** input_ids -> Gather(table) -> MatMul(tableᵀ) -> logits, with Shape(input_ids) feeding an output; `edit` breaks it. */
function tinyDecoder(edit?: (g: onnx.IGraphProto) => void): onnx.IModelProto {
  const table = { name: 'wte', dataType: 1, dims: [5, 2], floatData: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };
  const tableT = { name: 'wte_t', dataType: 1, dims: [2, 5], floatData: [0, 2, 4, 6, 8, 1, 3, 5, 7, 9] };
  const graph: onnx.IGraphProto = {
    name: 'tiny',
    node: [
      { opType: 'Shape', name: 'shape_ids', input: ['input_ids'], output: ['ids_shape'] },
      { opType: 'Gather', name: 'embed', input: ['wte', 'input_ids'], output: ['h'] },
      { opType: 'MatMul', name: 'head', input: ['h', 'wte_t'], output: ['logits'] },
    ],
    initializer: [table, tableT],
    input: [
      {
        name: 'input_ids',
        type: { tensorType: { elemType: 7, shape: { dim: [{ dimParam: 'b' }, { dimParam: 's' }] } } },
      },
    ],
    output: [
      { name: 'logits', type: { tensorType: { elemType: 1 } } },
      { name: 'ids_shape', type: { tensorType: { elemType: 7 } } },
    ],
  };
  edit?.(graph);
  return { irVersion: 8, opsetImport: [{ version: 17 }], graph };
}

describe('cutDecoderEmbedsEntry', () => {
  it('cuts zoo:mini-moe: inputs_embeds replaces input_ids, all other inputs and every output kept', () => {
    const cut = cutDecoderEmbedsEntry(decodeModel(readFileSync(MINI_MOE)));
    expect(cut.report).toMatchObject({
      tokenGather: '/model/wte/Gather',
      tokenTable: 'model.wte.weight',
      vocabSize: 2048,
      width: 64,
      shapeNodes: ['/model/Shape'],
    });
    expect(cut.report.inputs.slice(0, 5)).toEqual([
      'inputs_embeds',
      'attention_mask',
      'position_ids',
      'routing_override',
      'routing_override_layers',
    ]);
    expect(cut.report.inputs).toHaveLength(5 + 12);
    expect(cut.decoderEmbeds.graph!.node!.some((n) => n.input?.includes('input_ids'))).toBe(false);
    const outputs = cut.decoderEmbeds.graph!.output!.map((o) => o.name);
    expect(outputs).toContain('logits');
    expect(outputs).toContain('router_probs');
    expect(outputs).toContain('last_hidden_state');
    expect(cut.tokenEmbedding.graph!.input!.map((i) => i.name)).toEqual(['input_ids']);
    expect(
      missingGradientRules(cut.decoderEmbeds, { wrt: ['inputs_embeds'], outputs: ['logits'] }).size,
    ).toBe(0);
  });

  it('the cut graph gives the original outputs on left- and right-padded batches (<= 1e-5)', async () => {
    const bytes = readFileSync(MINI_MOE);
    const cut = cutDecoderEmbedsEntry(decodeModel(bytes));
    const rows = idRows(4);
    const check = await verifyDecoderEmbedsCut(
      backend,
      {
        original: bytes,
        cut: encodeModel(cut.decoderEmbeds),
        tokenEmbedding: encodeModel(cut.tokenEmbedding),
      },
      [moeFeeds(rows, 'left'), moeFeeds(rows, 'right')],
      ['logits', 'router_probs', 'routing_weights', 'last_hidden_state', 'present.5.value'],
    );
    expect(check.prompts).toBe(8);
    expect(check.batches).toBe(2);
    expect(check.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(Object.keys(check.perOutput)).toHaveLength(5);
  });

  it('cuts a minimal decoder and refuses graphs without the pattern, naming it', () => {
    const cut = cutDecoderEmbedsEntry(tinyDecoder());
    expect(cut.report.tokenGather).toBe('embed');
    expect(cut.decoderEmbeds.graph!.input!.map((i) => i.name)).toEqual(['inputs_embeds']);

    // No token Gather: the ids go through a Cast to float instead of a table lookup.
    const noGather = tinyDecoder((g) => {
      g.node![1] = { opType: 'Cast', name: 'cast_ids', input: ['input_ids'], output: ['h0'], attribute: [] };
    });
    expect(() => cutDecoderEmbedsEntry(noGather)).toThrow(GraphSurgeryError);
    expect(() => cutDecoderEmbedsEntry(noGather)).toThrow(
      `found 0 token-embedding lookups over input_ids (none); expected ${EXPECTED_DECODER_PATTERN}`,
    );

    // The ids read again by something the outputs need (here: an Add of the ids into an output).
    const extraUse = tinyDecoder((g) => {
      g.node!.push({ opType: 'Add', name: 'ids_plus', input: ['input_ids', 'input_ids'], output: ['ids2'] });
      g.output!.push({ name: 'ids2', type: { tensorType: { elemType: 7 } } });
    });
    expect(() => cutDecoderEmbedsEntry(extraUse)).toThrow(
      /node 'ids_plus' \(Add\) still reads the ids after the token-embedding Gather 'embed' is cut; expected a graph input input_ids/,
    );

    // No input_ids at all.
    const noIds = tinyDecoder((g) => {
      g.input![0]!.name = 'tokens';
    });
    expect(() => cutDecoderEmbedsEntry(noIds)).toThrow(/the graph has no input_ids input \(inputs: tokens\)/);
  });
});
