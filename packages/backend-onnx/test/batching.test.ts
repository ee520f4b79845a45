import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatRows, createOnnxBackend, type OnnxSession, sliceRows, Tensor } from '../src/index.js';
import { fixture, maxAbsDiff, torchCase } from './fixtures.js';

describe('batched runs split along dim 0 and join the outputs', () => {
  const backend = createOnnxBackend({ intraOpNumThreads: 1, batchSize: 4, log: () => {} });
  let conv: OnnxSession;
  let masked: OnnxSession;
  beforeAll(async () => {
    conv = await backend.load(fixture('convnet.onnx'));
    masked = await backend.load(fixture('masked_sum.onnx'));
  });
  afterAll(() => backend.dispose());

  it('10 images in chunks of 4 (4+4+2) equal one run, and torch', async () => {
    const { feeds, outputs } = torchCase('convnet');
    const whole = await conv.run(feeds);
    const progress: number[] = [];
    const batched = await conv.runBatched(feeds, {
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(progress).toEqual([0.4, 0.8, 1]);
    for (const name of ['logits', 'embeddings']) {
      expect(batched[name]!.dims).toEqual(whole[name]!.dims);
      expect(maxAbsDiff(batched[name]!.data as Float32Array, whole[name]!.data as Float32Array)).toBeLessThan(
        1e-6,
      );
      expect(maxAbsDiff(batched[name]!.data as Float32Array, outputs[name]!.data)).toBeLessThan(1e-5);
    }
  });

  it('uses the chunk size given per call, down to single rows', async () => {
    const { feeds, outputs } = torchCase('convnet');
    const calls: number[] = [];
    const out = await conv.runBatched(feeds, {
      batchSize: 1,
      outputNames: ['logits'],
      onProgress: (d) => calls.push(d),
    });
    expect(calls).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Object.keys(out)).toEqual(['logits']);
    expect(maxAbsDiff(out.logits!.data as Float32Array, outputs.logits!.data)).toBeLessThan(1e-5);
  });

  it('runs once when the batch fits in a chunk', async () => {
    const { feeds } = torchCase('convnet');
    const calls: number[] = [];
    await conv.runBatched(feeds, { batchSize: 64, onProgress: (d) => calls.push(d) });
    expect(calls).toEqual([10]);
  });

  it('splits every batched input and passes fixed-shape inputs whole (int64 ids + mask + scale)', async () => {
    const { feeds, outputs } = torchCase('masked_sum');
    const out = await masked.runBatched(feeds); // 6 rows in chunks of 4: 4 + 2
    expect(Array.from(out.scaled_sum!.data as Float32Array)).toEqual(outputs.scaled_sum!.data);
  });

  it('rejects inputs that disagree on the batch size', async () => {
    const { feeds } = torchCase('masked_sum');
    await expect(
      masked.runBatched({ ...feeds, attention_mask: sliceRows(feeds.attention_mask!, 0, 5) }),
    ).rejects.toThrow(
      'input "attention_mask": expected int64 tensor of rank 2 [batch,sequence], got int64 [5,7] ' +
        '(dim 0 is "batch", which input "input_ids" gives as 6)',
    );
  });

  it('rejects a bad chunk size and unknown batched inputs', async () => {
    const { feeds } = torchCase('convnet');
    await expect(conv.runBatched(feeds, { batchSize: 0 })).rejects.toThrow(
      'batchSize: expected an integer >= 1, got 0',
    );
    await expect(conv.runBatched(feeds, { batchSize: 2.5 })).rejects.toThrow('got 2.5');
    await expect(conv.runBatched(feeds, { batchedInputs: ['images'] })).rejects.toThrow(
      'batched run: batchedInputs names "images", which is not a model input (inputs: pixel_values)',
    );
  });

  it('slices rows as views of the same buffer (no copy per chunk)', () => {
    const t = new Tensor(
      'float32',
      Float32Array.from({ length: 24 }, (_, i) => i),
      [4, 2, 3],
    );
    const rows = sliceRows(t, 1, 3);
    expect(rows.dims).toEqual([2, 2, 3]);
    expect(Array.from(rows.data as Float32Array)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect((rows.data as Float32Array).buffer).toBe(t.data.buffer);
  });

  it('joins int64 and string chunks, and refuses chunks whose trailing dims differ', () => {
    const a = new Tensor('int64', BigInt64Array.from([1n, 2n]), [1, 2]);
    const b = new Tensor('int64', BigInt64Array.from([3n, 4n, 5n, 6n]), [2, 2]);
    const joined = concatRows('ids', [a, b]);
    expect(joined.dims).toEqual([3, 2]);
    expect(Array.from(joined.data as BigInt64Array)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    const s = concatRows('words', [new Tensor('string', ['a'], [1]), new Tensor('string', ['b', 'c'], [2])]);
    expect(s.data).toEqual(['a', 'b', 'c']);
    const c = new Tensor('int64', BigInt64Array.from([7n, 8n, 9n]), [1, 3]);
    expect(() => concatRows('ids', [a, c])).toThrow(
      'output "ids": chunks disagree on shape ([1,2] vs [1,3]), so they cannot be joined along dim 0',
    );
  });
});
