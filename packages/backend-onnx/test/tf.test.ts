import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxBackend, type OnnxSession } from '../src/index.js';
import { runBatchedTf, runTf } from '../src/tf.js';
import { fixture, maxAbsDiff, torchCase } from './fixtures.js';

describe('running on tfjs tensors', () => {
  const backend = createOnnxBackend({ intraOpNumThreads: 1, batchSize: 4, log: () => {} });
  let conv: OnnxSession;
  let masked: OnnxSession;
  beforeAll(async () => {
    conv = await backend.load(fixture('convnet.onnx'));
    masked = await backend.load(fixture('masked_sum.onnx'));
  });
  afterAll(() => backend.dispose());

  it('matches torch and leaves only the outputs as new tensors', async () => {
    const { feeds, outputs } = torchCase('convnet');
    const pixels = tf.tensor(feeds.pixel_values!.data as Float32Array, [...feeds.pixel_values!.dims]);
    const before = tf.memory().numTensors;
    const out = await runTf(conv, { pixel_values: pixels }, ['logits']);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(out.logits!.shape).toEqual([10, 5]);
    expect(maxAbsDiff(out.logits!.dataSync() as Float32Array, outputs.logits!.data)).toBeLessThan(1e-5);
    out.logits!.dispose();
    pixels.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  it('widens int32 ids to an int64 input and batches like runBatched', async () => {
    const { feeds, outputs } = torchCase('masked_sum');
    const toInt32 = (name: string) =>
      tf.tensor(Int32Array.from(feeds[name]!.data as BigInt64Array, Number), [...feeds[name]!.dims], 'int32');
    const ids = toInt32('input_ids');
    const mask = toInt32('attention_mask');
    const before = tf.memory().numTensors;
    const out = await runBatchedTf(masked, { input_ids: ids, attention_mask: mask, scale: feeds.scale! });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(out.scaled_sum!.dataSync())).toEqual(outputs.scaled_sum!.data);
    tf.dispose([ids, mask, out.scaled_sum!]);
  });

  it('checks tfjs feeds against the model like any other', async () => {
    const wrong = tf.zeros([3, 8, 8]);
    await expect(runTf(conv, { pixel_values: wrong })).rejects.toThrow(
      'input "pixel_values": expected float32 tensor of rank 4 [batch,3,8,8], got float32 [3,8,8]',
    );
    wrong.dispose();
  });
});
