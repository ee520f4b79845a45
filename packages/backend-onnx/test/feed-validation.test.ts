import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxBackend, FeedError, type OnnxSession, Tensor } from '../src/index.js';
import { fixture, torchCase } from './fixtures.js';

const f32 = (dims: number[]) =>
  new Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
const i64 = (dims: number[]) => new Tensor('int64', new BigInt64Array(dims.reduce((a, b) => a * b, 1)), dims);
const i32 = (dims: number[]) => new Tensor('int32', new Int32Array(dims.reduce((a, b) => a * b, 1)), dims);

/** Runs and returns the FeedError's message; fails the test if the run does not throw one. */
async function feedError(session: OnnxSession, feeds: unknown): Promise<string> {
  const error = await session.run(feeds as Record<string, Tensor>).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FeedError);
  return (error as FeedError).message;
}

describe('feeds are checked against the model inputs before running', () => {
  const backend = createOnnxBackend({ intraOpNumThreads: 1, log: () => {} });
  let conv: OnnxSession;
  let masked: OnnxSession;
  beforeAll(async () => {
    conv = await backend.load(fixture('convnet.onnx'));
    masked = await backend.load(fixture('masked_sum.onnx'));
  });
  afterAll(() => backend.dispose());

  it('names the input, the expected type, rank and shape, and what was given', async () => {
    const message = await feedError(conv, { pixel_values: i32([3, 8, 8]) });
    expect(message.split('\n')[0]).toBe(
      'input "pixel_values": expected float32 tensor of rank 4 [batch,3,8,8], got int32 [3,8,8]',
    );
    expect(message).toContain(`(model ${fixture('convnet.onnx')})`);
  });

  it('rejects a wrong element type at the right rank', async () => {
    const message = await feedError(conv, { pixel_values: i32([2, 3, 8, 8]) });
    expect(message).toContain(
      'input "pixel_values": expected float32 tensor of rank 4 [batch,3,8,8], got int32 [2,3,8,8]',
    );
  });

  it('rejects a wrong rank', async () => {
    const message = await feedError(conv, { pixel_values: f32([3, 8, 8]) });
    expect(message).toContain('expected float32 tensor of rank 4 [batch,3,8,8], got float32 [3,8,8]');
  });

  it('names each fixed dimension that does not match', async () => {
    const message = await feedError(conv, { pixel_values: f32([2, 3, 9, 7]) });
    expect(message).toContain('got float32 [2,3,9,7] (dim 2 must be 8, dim 3 must be 8)');
  });

  it('lists missing and unknown names together, with the likely typo', async () => {
    const { feeds } = torchCase('masked_sum');
    const { attention_mask, ...rest } = feeds;
    const message = await feedError(masked, {
      ...rest,
      attention_masks: attention_mask,
      extra: attention_mask,
    });
    expect(message).toContain('missing "attention_mask"');
    expect(message).toContain('unknown "attention_masks" (did you mean "attention_mask"?), "extra"');
    expect(message).toContain(
      'The inputs are "input_ids" int64 [batch,sequence], "attention_mask" int64 [batch,sequence], "scale" float32 [1]',
    );
  });

  it('requires one size per symbolic dimension across inputs', async () => {
    const message = await feedError(masked, {
      input_ids: i64([2, 5]),
      attention_mask: i64([3, 5]),
      scale: f32([1]),
    });
    expect(message).toContain(
      'input "attention_mask": expected int64 tensor of rank 2 [batch,sequence], got int64 [3,5] ' +
        '(dim 0 is "batch", which input "input_ids" gives as 2)',
    );
  });

  it('checks fixed-shape inputs too', async () => {
    const message = await feedError(masked, {
      input_ids: i64([2, 5]),
      attention_mask: i64([2, 5]),
      scale: f32([2]),
    });
    expect(message).toContain(
      'input "scale": expected float32 tensor of rank 1 [1], got float32 [2] (dim 0 must be 1)',
    );
  });

  it('reports every mismatched input, one per line', async () => {
    const message = await feedError(masked, {
      input_ids: i32([2, 5]),
      attention_mask: i64([2, 5]),
      scale: i64([1]),
    });
    const lines = message.split('\n');
    expect(lines[0]).toMatch(/^input "input_ids": expected int64 .* got int32 \[2,5\]$/);
    expect(lines[1]).toMatch(/^input "scale": expected float32 .* got int64 \[1\]$/);
  });

  it('explains raw arrays and non-objects instead of passing them on', async () => {
    const raw = await feedError(conv, { pixel_values: new Float32Array(192) });
    expect(raw).toContain('got a Float32Array (raw data, not an onnxruntime Tensor)');
    const tfLike = await feedError(conv, { pixel_values: { dtype: 'float32', shape: [1, 3, 8, 8] } });
    expect(tfLike).toContain(
      'got a tfjs tensor float32 [1,3,8,8] (convert it with toOrtTensor from @attune/tensor)',
    );
    const bare = await feedError(conv, f32([1, 3, 8, 8]));
    expect(bare).toContain('feeds must be an object of input name -> onnxruntime Tensor');
    expect(bare).toContain('got float32 [1,3,8,8]');
  });

  it('lets valid feeds through (with any size for symbolic dimensions)', async () => {
    const out = await masked.run({ input_ids: i64([4, 9]), attention_mask: i64([4, 9]), scale: f32([1]) });
    expect(out.scaled_sum!.dims).toEqual([4]);
  });

  it('rejects unknown output names, listing the outputs', async () => {
    const { feeds } = torchCase('convnet');
    await expect(conv.run(feeds, ['logit'])).rejects.toThrow(
      'unknown output "logit" for ' +
        `${fixture('convnet.onnx')}; its outputs are "logits" float32 [batch,5], "embeddings" float32 [batch,4]`,
    );
  });
});
