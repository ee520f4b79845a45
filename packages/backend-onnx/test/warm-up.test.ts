import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxBackend, Tensor, zeroFeeds } from '../src/index.js';
import { fixture, torchCase } from './fixtures.js';

describe('warm-up', () => {
  const backend = createOnnxBackend({ intraOpNumThreads: 1, log: () => {} });
  afterAll(() => backend.dispose());

  it('makes zero feeds of the declared types, sizing dynamic dims by name', async () => {
    const session = await backend.load(fixture('masked_sum.onnx'));
    const feeds = zeroFeeds(session.info.inputs, { batch: 3, sequence: 77 });
    expect(feeds.input_ids!.type).toBe('int64');
    expect(feeds.input_ids!.dims).toEqual([3, 77]);
    expect(feeds.attention_mask!.dims).toEqual([3, 77]);
    expect(feeds.scale!.dims).toEqual([1]);
    expect((feeds.input_ids!.data as BigInt64Array).every((v) => v === 0n)).toBe(true);
    expect(zeroFeeds(session.info.inputs).input_ids!.dims).toEqual([1, 1]);
    expect(() => zeroFeeds(session.info.inputs, { batch: -2 })).toThrow(
      'warm-up: dimension "batch" of input "input_ids" [batch,sequence] must be an integer >= 0, got -2',
    );
  });

  it('runs the model the requested number of times and reports each run', async () => {
    const session = await backend.load(fixture('convnet.onnx'));
    const report = await session.warmUp({ runs: 3, dims: { batch: 64 } });
    expect(report.runs).toBe(3);
    expect(report.msPerRun).toHaveLength(3);
    expect(report.msPerRun.every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);
    // Warm-up leaves the session as it was: real inputs still give torch's outputs.
    const { feeds, outputs } = torchCase('convnet');
    const out = await session.run(feeds);
    expect(Array.from(out.logits!.data as Float32Array)[0]).toBeCloseTo(outputs.logits!.data[0]!, 5);
  });

  it('checks explicit warm-up feeds like any run', async () => {
    const session = await backend.load(fixture('mlp.onnx'));
    await expect(
      session.warmUp({ feeds: { features: new Tensor('float32', new Float32Array(7), [1, 7]) } }),
    ).rejects.toThrow(
      'input "features": expected float32 tensor of rank 2 [batch,8], got float32 [1,7] (dim 1 must be 8)',
    );
    await expect(session.warmUp({ runs: 0 })).rejects.toThrow(
      'warm-up runs: expected an integer >= 1, got 0',
    );
  });
});
