import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxBackend } from '../src/index.js';
import { fixture, maxAbsDiff, torchCase } from './fixtures.js';

// Outputs of the fixtures' torch modules (scripts/make_fixtures.py) on the same inputs.
describe('outputs match torch', () => {
  const backend = createOnnxBackend({ intraOpNumThreads: 1, log: () => {} });
  afterAll(() => backend.dispose());

  it('tiny MLP (Linear-GELU-Linear) to 1e-5', async () => {
    const session = await backend.load(fixture('mlp.onnx'));
    const { feeds, outputs } = torchCase('mlp');
    const out = await session.run(feeds);
    expect(Object.keys(out)).toEqual(['logits']);
    expect(out.logits!.dims).toEqual(outputs.logits!.dims);
    expect(out.logits!.type).toBe('float32');
    expect(maxAbsDiff(out.logits!.data as Float32Array, outputs.logits!.data)).toBeLessThan(1e-5);
  });

  it('tiny conv net, both outputs, to 1e-5', async () => {
    const session = await backend.load(fixture('convnet.onnx'));
    const { feeds, outputs } = torchCase('convnet');
    const out = await session.run(feeds);
    for (const name of ['logits', 'embeddings']) {
      expect(out[name]!.dims).toEqual(outputs[name]!.dims);
      expect(maxAbsDiff(out[name]!.data as Float32Array, outputs[name]!.data)).toBeLessThan(1e-5);
    }
  });

  it('computes only the requested outputs', async () => {
    const session = await backend.load(fixture('convnet.onnx'));
    const { feeds, outputs } = torchCase('convnet');
    const out = await session.run(feeds, ['embeddings']);
    expect(Object.keys(out)).toEqual(['embeddings']);
    expect(maxAbsDiff(out.embeddings!.data as Float32Array, outputs.embeddings!.data)).toBeLessThan(1e-5);
  });

  it('int64 inputs with a mask and a fixed-shape scale', async () => {
    const session = await backend.load(fixture('masked_sum.onnx'));
    const { feeds, outputs } = torchCase('masked_sum');
    const out = await session.run(feeds);
    expect(out.scaled_sum!.dims).toEqual(outputs.scaled_sum!.dims);
    // Sums of integers below 2^24 halved: exact in float32.
    expect(Array.from(out.scaled_sum!.data as Float32Array)).toEqual(outputs.scaled_sum!.data);
  });

  it('a model loaded from bytes gives the same outputs as from its path', async () => {
    const fromBytes = await backend.load(new Uint8Array(readFileSync(fixture('convnet.onnx'))));
    const fromPath = await backend.load(fixture('convnet.onnx'));
    expect(fromBytes).not.toBe(fromPath);
    expect(fromBytes.info.model).toMatch(/^<3903 bytes, sha256 [0-9a-f]{12}>$/);
    const { feeds } = torchCase('convnet');
    const a = await fromBytes.run(feeds);
    const b = await fromPath.run(feeds);
    expect(Array.from(a.logits!.data as Float32Array)).toEqual(Array.from(b.logits!.data as Float32Array));
  });

  it('reports the model metadata onnxruntime read', async () => {
    const session = await backend.load(fixture('masked_sum.onnx'));
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', 'scale']);
    expect(session.outputNames).toEqual(['scaled_sum']);
    expect(session.info.inputs[0]).toEqual({
      name: 'input_ids',
      isTensor: true,
      type: 'int64',
      shape: ['batch', 'sequence'],
    });
    expect(session.info.inputs[2]).toMatchObject({ type: 'float32', shape: [1] });
  });
});
