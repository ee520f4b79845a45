// The differentiable text encoder on the tfjs backend chosen at load ('wasm' here; this file's worker only).
import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipVisionLanguageModel, loadVisionLanguageModel } from '../src/clip-model.js';
import { assemblePromptEmbeds } from '../src/prompt-parts.js';
import { maxRelativeError, readFixture, TINY_CLIP } from './fixtures.js';

const ref = readFixture<{ tpt: { ctx: number[]; text_features: number[]; class_names: string[] } }>(
  'tiny-clip-reference.json',
).tpt;

let model: ClipVisionLanguageModel;
beforeAll(async () => {
  model = await loadVisionLanguageModel(TINY_CLIP, { threads: 1, tfjs: { backend: 'wasm' } });
});
afterAll(async () => {
  await model.dispose();
});

describe("tfjs: { backend: 'wasm' }", () => {
  it('activates wasm when the gradient path loads, reports it, and matches torch', async () => {
    expect(model.backends.gradients).toBe(`tfjs ${tf.getBackend()}`);
    const parts = await model.promptParts(ref.class_names, { initText: 'a photo of a' });
    expect(tf.getBackend()).toBe('wasm');
    expect(model.backends.gradients).toBe('tfjs wasm');
    const ctx = tf.tensor2d(ref.ctx, parts.ctxInit.shape);
    const features = model.encodeTextEmbeds(assemblePromptEmbeds(parts, ctx), parts.eotIndex);
    expect(maxRelativeError(features.dataSync(), ref.text_features)).toBeLessThan(1e-4);
    tf.dispose([ctx, features]);
    parts.dispose();
  });
});
