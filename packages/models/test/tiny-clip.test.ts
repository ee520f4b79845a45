// VisionLanguageModel against torch on the tiny-clip fixture (mini-CLIP's architecture, random weights):
// tokenisation, both towers through onnxruntime, the tfjs text encoder over embeddings and its gradient.
import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipVisionLanguageModel, loadVisionLanguageModel } from '../src/clip-model.js';
import { maxRelativeError, readFixture, TINY_CLIP } from './fixtures.js';

interface Reference {
  texts: string[];
  input_ids: number[][];
  eot_index: number[];
  text_embeds: number[];
  images: number[];
  image_embeds: number[];
}
const ref = readFixture<Reference>('tiny-clip-reference.json');

let model: ClipVisionLanguageModel;
beforeAll(async () => {
  model = await loadVisionLanguageModel(TINY_CLIP, { threads: 1 });
});
afterAll(async () => {
  await model.dispose();
});

describe('loading', () => {
  it('reads sizes and the logit scale from config.json', () => {
    expect(model.source).toBe(TINY_CLIP);
    expect(model.imageSize).toBe(28);
    expect(model.embedDim).toBe(24);
    expect(model.tokenEmbedDim).toBe(32);
    expect(model.contextLength).toBe(12);
    expect(model.logitScale).toBeCloseTo(50, 10);
    expect(model.backends.inference).toBe('onnxruntime-node cpu (1 thread)');
    expect(model.backends.gradients).toBe(`tfjs ${tf.getBackend()}`);
  });
});

describe('tokenize', () => {
  it('gives the ids torch was given, truncating over-long text with EOT last', () => {
    const batch = model.tokenize(ref.texts);
    expect(batch.length).toBe(12);
    expect(Array.from(batch.ids)).toEqual(ref.input_ids.flat());
    expect(Array.from(batch.eotIndex)).toEqual(ref.eot_index);
    expect(batch.truncated).toEqual([2]);
    const eot = model.tokenizer.specialIds.eot;
    expect(batch.ids[2 * 12 + 11]).toBe(eot);
  });
});

describe('onnxruntime towers vs torch', () => {
  it('encodeTexts', async () => {
    const features = await model.encodeTexts(ref.texts);
    expect(features.shape).toEqual([3, 24]);
    expect(maxRelativeError(features.dataSync(), ref.text_embeds)).toBeLessThan(1e-5);
    features.dispose();
  });

  it('normalizeViews + encodeImages', async () => {
    const views = tf.tensor4d(ref.images, [3, 3, 28, 28]);
    const pixels = model.normalizeViews(views);
    const features = await model.encodeImages(pixels);
    expect(features.shape).toEqual([3, 24]);
    expect(maxRelativeError(features.dataSync(), ref.image_embeds)).toBeLessThan(1e-5);
    for (const t of [views, pixels, features]) t.dispose();
  });
});

describe('text encoder over embeddings (tfjs) vs onnxruntime', () => {
  it('encodeTextEmbeds(tokenEmbeddings(ids), eot) == encodeTexts(texts)', async () => {
    await model.prepareGradients();
    const texts = [
      'a photo of a zero.',
      'a handwritten t-shirt.',
      'an image of the number two.',
      ...ref.texts,
    ];
    const { ids, eotIndex } = model.tokenize(texts);
    const embeds = await model.tokenEmbeddings(ids, texts.length);
    expect(embeds.shape).toEqual([texts.length, 12, 32]);
    const eot = tf.tensor1d(eotIndex, 'int32');
    const viaTfjs = model.encodeTextEmbeds(embeds, eot);
    const viaOrt = await model.encodeTexts(texts);
    const error = maxRelativeError(viaTfjs.dataSync(), viaOrt.dataSync());
    expect(error).toBeLessThan(1e-4);
    for (const t of [embeds, eot, viaTfjs, viaOrt]) t.dispose();
  });

  it('a shorter sequence (padding cut after EOT) gives the same features', async () => {
    await model.prepareGradients();
    const { ids, eotIndex } = model.tokenize(['a photo of a one.']);
    const full = await model.tokenEmbeddings(ids, 1);
    const short = tf.slice(full, [0, 0, 0], [1, 8, 32]) as tf.Tensor3D;
    const eot = tf.tensor1d(eotIndex, 'int32');
    const a = model.encodeTextEmbeds(full, eot);
    const b = model.encodeTextEmbeds(short, eot);
    expect(maxRelativeError(b.dataSync(), a.dataSync())).toBeLessThan(1e-5);
    for (const t of [full, short, eot, a, b]) t.dispose();
  });
});

describe('logits', () => {
  it('is logitScale * cosine similarity', () => {
    const img = tf.tensor2d([[3, 4, ...new Array(22).fill(0)]]);
    const txt = tf.tensor2d([
      [1, 0, ...new Array(22).fill(0)],
      [0, -2, ...new Array(22).fill(0)],
    ]);
    const logits = model.logits(img, txt);
    expect(Array.from(logits.dataSync()).map((v) => Number(v.toFixed(4)))).toEqual([30, -40]);
    for (const t of [img, txt, logits]) t.dispose();
  });

  it('names mismatched feature sizes', () => {
    const img = tf.zeros([2, 5]) as tf.Tensor2D;
    const txt = tf.zeros([3, 24]) as tf.Tensor2D;
    expect(() => model.logits(img, txt)).toThrow('expected image features [N,24], got [2,5]');
    img.dispose();
    txt.dispose();
  });
});
