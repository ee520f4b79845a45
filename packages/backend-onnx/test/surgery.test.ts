// Graph surgery: an inputs_embeds entry point cut from text towers that were not exported for it, checked
// against the original graph on onnxruntime (max |diff| <= 1e-5): a torch nn.TransformerEncoder tower
// (LayerNorm decomposed at opset 13, first-eos pooling by advanced indexing, positions sliced by
// Shape(input_ids)) and the zoo's mini-CLIP tower (argmax pooling through a one-hot MatMul).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { Tensor } from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxBackend } from '../src/index.js';
import {
  cutTextEmbedsEntry,
  decodeModel,
  encodeModel,
  GraphSurgeryError,
  verifyTextEmbedsCut,
} from '../src/surgery/index.js';
import { missingGradientRules } from '../src/vjp/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const TORCH_TOWER = join(here, '..', 'fixtures', 'surgery', 'torch_text_tower.onnx');
const ZOO_CLIP = join(here, '..', '..', 'zoo', 'models', 'mini-clip', 'onnx');
const backend = createOnnxBackend({ intraOpNumThreads: 1 });
afterAll(() => backend.dispose());

/** Rows of random word ids with the end token at varied positions; pad after it. */
function idRows(count: number, length: number, vocabWords: number, eos: number, pad: number, sot?: number) {
  const ids = new Int32Array(count * length).fill(pad);
  const eot = new Int32Array(count);
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
  for (let r = 0; r < count; r++) {
    const end = 2 + ((r * 3) % (length - 2));
    for (let i = 0; i < end; i++) ids[r * length + i] = 2 + (next() % vocabWords);
    if (sot !== undefined) ids[r * length] = sot;
    ids[r * length + end] = eos;
    eot[r] = end;
  }
  return { ids, eot };
}

describe('cutTextEmbedsEntry', () => {
  it('cuts a torch nn.TransformerEncoder text tower; the cut graph gives the original text_embeds', async () => {
    const bytes = readFileSync(TORCH_TOWER);
    const cut = cutTextEmbedsEntry(decodeModel(bytes));
    expect(cut.report).toMatchObject({
      tokenGather: '/embed/Gather',
      vocabSize: 50,
      width: 16,
      pooling: '/ArgMax',
    });
    expect(cut.report.shapeNodes).toEqual(['/Shape']);
    const inputs = cut.textModelEmbeds.graph!.input!.map((i) => i.name);
    expect(inputs).toEqual(['inputs_embeds', 'eot_index']);
    const { ids, eot } = idRows(5, 12, 40, 49, 0);
    const check = await verifyTextEmbedsCut(
      backend,
      {
        original: bytes,
        cut: encodeModel(cut.textModelEmbeds),
        tokenEmbedding: encodeModel(cut.tokenEmbedding),
      },
      ids,
      5,
      eot,
    );
    expect(check.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(check.prompts).toBe(5);
  });

  it('cuts the zoo mini-CLIP tower: same numbers as the original and as its exported embeds graph; differentiable', async () => {
    const bytes = readFileSync(join(ZOO_CLIP, 'text_model.onnx'));
    const cut = cutTextEmbedsEntry(decodeModel(bytes));
    expect(cut.report.width).toBe(128);
    const { ids, eot } = idRows(4, 20, 50, 59, 0, 58);
    const cutBytes = encodeModel(cut.textModelEmbeds);
    const check = await verifyTextEmbedsCut(
      backend,
      { original: bytes, cut: cutBytes, tokenEmbedding: encodeModel(cut.tokenEmbedding) },
      ids,
      4,
      eot,
    );
    expect(check.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    // The zoo's own exported entry point on the same embeddings.
    const embedding = await backend.load(encodeModel(cut.tokenEmbedding));
    const exported = await backend.load(join(ZOO_CLIP, 'text_model_embeds.onnx'));
    const mine = await backend.load(cutBytes);
    const embeds = (
      await embedding.run({ input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [4, 20]) })
    ).inputs_embeds!;
    const eotIndex = new Tensor('int64', BigInt64Array.from(eot, BigInt), [4]);
    const a = (await exported.run({ inputs_embeds: embeds, eot_index: eotIndex })).text_embeds!
      .data as Float32Array;
    const b = (await mine.run({ inputs_embeds: embeds, eot_index: eotIndex })).text_embeds!
      .data as Float32Array;
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThanOrEqual(1e-5);
    // Every op between inputs_embeds and text_embeds has a VJP rule, so TPT runs on onnxruntime.
    expect(
      missingGradientRules(cut.textModelEmbeds, { wrt: ['inputs_embeds'], outputs: ['text_embeds'] }).size,
    ).toBe(0);
  });

  it('refuses a graph it cannot cut, naming the node pattern it expected', () => {
    // No input_ids at all (the VJP fixture takes float x).
    const encoder = decodeModel(readFileSync(join(here, '..', 'fixtures', 'vjp', 'torch_encoder.onnx')));
    expect(() => cutTextEmbedsEntry(encoder)).toThrow(GraphSurgeryError);
    expect(() => cutTextEmbedsEntry(encoder)).toThrow(
      /no input_ids input .*expected input_ids -> .*Gather\(<token-embedding initializer/,
    );

    // The ids also reach text_embeds another way (here: their mean scales the output).
    const model = decodeModel(readFileSync(TORCH_TOWER));
    const graph = model.graph!;
    const out = graph.output![0]!;
    const inner = 'text_embeds_inner';
    for (const node of graph.node!) node.output = node.output!.map((o) => (o === out.name ? inner : o));
    const FLOAT = 1;
    graph.node!.push(
      {
        opType: 'Cast',
        name: 'ids_as_float',
        input: ['input_ids'],
        output: ['idsf'],
        attribute: [{ name: 'to', type: onnxProto.onnx.AttributeProto.AttributeType.INT, i: FLOAT }],
      },
      {
        opType: 'ReduceMean',
        name: 'ids_mean',
        input: ['idsf'],
        output: ['idsm'],
        attribute: [{ name: 'axes', type: onnxProto.onnx.AttributeProto.AttributeType.INTS, ints: [1] }],
      },
      { opType: 'Mul', name: 'scale_by_ids', input: [inner, 'idsm'], output: [out.name!] },
    );
    expect(() => cutTextEmbedsEntry(model)).toThrow(
      /node '.*' \(Cast\) still reads the ids .*expected input_ids ->/,
    );
  });
});
