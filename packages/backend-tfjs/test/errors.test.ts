import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxGraph, type OnnxGraph, SUPPORTED_OPS, selectBackend } from '../src/index.js';
import { buildModel } from './helpers/build-model.js';
import { tfFeeds } from './helpers/feeds.js';
import { fixturePath, MODEL_FIXTURES } from './helpers/model-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'backend-tfjs-'));

describe('errors that say what is wrong and what would be right', () => {
  let clip: OnnxGraph;

  beforeAll(async () => {
    await selectBackend('cpu');
    clip = await loadOnnxGraph(fixturePath('clip_text_embeds.onnx'));
  });

  afterAll(() => clip.dispose());

  it('an unsupported operator fails at load, naming the op, its node and the supported list', async () => {
    const bytes = buildModel({
      opset: 17,
      nodes: [
        { opType: 'Relu', inputs: ['x'], outputs: ['h'], name: 'first' },
        { opType: 'Hardmax', inputs: ['h'], outputs: ['y'], name: 'classifier/hardmax' },
      ],
      inputs: [{ name: 'x', shape: [2, 3] }],
      outputs: [{ name: 'y', shape: [2, 3] }],
    });
    const load = loadOnnxGraph(bytes);
    await expect(load).rejects.toThrow(/unsupported operator 'Hardmax' \(node 'classifier\/hardmax'\)/);
    await expect(load).rejects.toThrow(/Supported operators \(default ONNX domain\): Abs, Add, And,/);
    expect(SUPPORTED_OPS).not.toContain('Hardmax');
  });

  it('an operator from another domain is unsupported too, named with its domain', async () => {
    const bytes = buildModel({
      opset: 17,
      nodes: [{ opType: 'FusedGemm', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'], name: 'fused' }],
      inputs: [{ name: 'x', shape: [2] }],
      outputs: [{ name: 'y', shape: [2] }],
    });
    await expect(loadOnnxGraph(bytes)).rejects.toThrow(/'com\.microsoft\.FusedGemm' \(node 'fused'\)/);
  });

  it('a file that is not an ONNX model fails naming the file', async () => {
    const text = join(scratch, 'notes.onnx');
    writeFileSync(text, 'these are not the weights you are looking for\n'.repeat(20));
    await expect(loadOnnxGraph(text)).rejects.toThrow(`'${text}' is not a valid ONNX model`);
    const truncated = join(scratch, 'truncated.onnx');
    writeFileSync(truncated, readFileSync(fixturePath('conv_tower.onnx')).subarray(0, 3000));
    await expect(loadOnnxGraph(truncated)).rejects.toThrow(`'${truncated}' is not a valid ONNX model`);
    const missing = join(scratch, 'missing.onnx');
    await expect(loadOnnxGraph(missing)).rejects.toThrow(`cannot read ONNX model '${missing}'`);
  });

  it('an unknown feed name lists the inputs', () => {
    const feeds = tfFeeds(MODEL_FIXTURES[1]!.inputs({ batch: 1, sequence: 4 }, 1));
    const extra = tf.zeros([1, 4, 32]);
    expect(() => clip.run({ ...feeds, input_embeds: extra })).toThrow(
      /unknown feed 'input_embeds' for graph '.*clip_text_embeds\.onnx'; inputs: inputs_embeds, eot_index/,
    );
    tf.dispose([extra, ...Object.values(feeds)]);
  });

  it('a missing feed is named', () => {
    const embeds = tf.zeros([1, 4, 32]);
    expect(() => clip.run({ inputs_embeds: embeds })).toThrow(/missing feed\(s\) 'eot_index'/);
    embeds.dispose();
  });

  it('a wrong shape or dtype names the input, the expected and the given', () => {
    const eot = tf.tensor1d([3], 'int32');
    const unbatched = tf.zeros([4, 32]);
    expect(() => clip.run({ inputs_embeds: unbatched, eot_index: eot })).toThrow(
      "feed 'inputs_embeds': expected float32 [batch,sequence,32], got float32 [4,32]",
    );
    const wrongWidth = tf.zeros([1, 4, 16]);
    expect(() => clip.run({ inputs_embeds: wrongWidth, eot_index: eot })).toThrow(
      "feed 'inputs_embeds': expected float32 [batch,sequence,32], got float32 [1,4,16]",
    );
    const embeds = tf.zeros([1, 4, 32]);
    const floatEot = tf.tensor1d([3]);
    expect(() => clip.run({ inputs_embeds: embeds, eot_index: floatEot })).toThrow(
      "feed 'eot_index': expected int64 [batch] (an int32 tensor in tfjs), got float32 [1]",
    );
    tf.dispose([eot, unbatched, wrongWidth, embeds, floatEot]);
  });

  it('a symbolic dimension must agree across feeds', () => {
    const embeds = tf.zeros([1, 4, 32]);
    const eot = tf.tensor1d([3, 2], 'int32');
    expect(() => clip.run({ inputs_embeds: embeds, eot_index: eot })).toThrow(
      "feed 'eot_index': dimension 'batch' is 2, but feed 'inputs_embeds' has batch = 1",
    );
    tf.dispose([embeds, eot]);
  });

  it('int64 values that int32 tfjs tensors cannot hold are named', async () => {
    const bytes = buildModel({
      opset: 14,
      nodes: [{ opType: 'Add', inputs: ['ids', 'offset'], outputs: ['shifted'], name: 'shift' }],
      inputs: [{ name: 'ids', elemType: 7, shape: [2] }],
      outputs: [{ name: 'shifted', elemType: 7, shape: [2] }],
      initializers: [{ name: 'offset', dims: [1], values: [2 ** 40] }],
    });
    const graph = await loadOnnxGraph(bytes);
    const ids = tf.tensor1d([1, 2], 'int32');
    expect(() => graph.run({ ids })).toThrow(
      "Add node 'shift', input 'offset': value 1099511627776 does not fit int32 (tfjs computes int64 as int32, range -2147483648..2147483647)",
    );
    ids.dispose();
    graph.dispose();
  });

  it('gradient requests that cannot work say why', () => {
    const feeds = tfFeeds(MODEL_FIXTURES[1]!.inputs({ batch: 1, sequence: 4 }, 1));
    const loss = (outputs: Record<string, tf.Tensor>) => tf.sum(outputs.text_embeds!) as tf.Scalar;
    expect(() => clip.gradients(feeds, ['eot_index'], loss)).toThrow(
      "gradients: input 'eot_index' is int64; only float inputs can be differentiated",
    );
    expect(() => clip.gradients(feeds, ['pixel_values'], loss)).toThrow(
      "gradients: 'pixel_values' is not a graph input; inputs: inputs_embeds, eot_index",
    );
    expect(() => clip.gradients(feeds, ['inputs_embeds'], (o) => o.text_embeds as tf.Scalar)).toThrow(
      'gradients: loss must return a scalar tensor, got a float32 tensor of shape [1,24]',
    );
    tf.dispose(Object.values(feeds));
  });

  it('an unknown output name lists the outputs', () => {
    const feeds = tfFeeds(MODEL_FIXTURES[1]!.inputs({ batch: 1, sequence: 4 }, 1));
    expect(() => clip.run(feeds, ['pooled'])).toThrow(
      /'pooled' is not a value of graph '.*'; outputs: text_embeds, last_hidden_state/,
    );
    tf.dispose(Object.values(feeds));
  });

  it('a disposed graph refuses to run', async () => {
    const graph = await loadOnnxGraph(fixturePath('tiny_mlp.onnx'));
    graph.dispose();
    const x = tf.zeros([1, 8]);
    expect(() => graph.run({ x })).toThrow(/has been disposed/);
    x.dispose();
  });
});
