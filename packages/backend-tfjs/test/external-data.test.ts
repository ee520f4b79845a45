import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@attune/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxGraph, selectBackend } from '../src/index.js';
import { buildModel } from './helpers/build-model.js';

// Models over 2 GB keep their weights in side files ("external data"), next to the .onnx file.
describe('external tensor data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backend-tfjs-external-'));
  const model = buildModel({
    opset: 14,
    nodes: [{ opType: 'Add', inputs: ['x', 'bias'], outputs: ['y'] }],
    inputs: [{ name: 'x', shape: [4] }],
    outputs: [{ name: 'y', shape: [4] }],
    // The bias is the second block of four floats in the side file.
    external: [{ name: 'bias', dims: [4], location: 'weights.bin', offset: 16, length: 16 }],
  });

  beforeAll(async () => {
    await selectBackend('cpu');
    writeFileSync(join(dir, 'model.onnx'), model);
    writeFileSync(
      join(dir, 'weights.bin'),
      new Uint8Array(new Float32Array([9, 9, 9, 9, 1, 2, 3, 4]).buffer),
    );
  });

  it('reads initializers from the file next to the model, at the given offset', async () => {
    const graph = await loadOnnxGraph(join(dir, 'model.onnx'));
    const x = tf.tensor1d([10, 20, 30, 40]);
    const { y } = graph.run({ x });
    expect(Array.from(y!.dataSync())).toEqual([11, 22, 33, 44]);
    tf.dispose([x, y!]);
    graph.dispose();
  });

  it('from bytes, says the model must be loaded from a path', async () => {
    await expect(loadOnnxGraph(model)).rejects.toThrow(
      "tensor 'bias': stored in external file 'weights.bin'; load the model from a path, not bytes",
    );
  });
});
