// Class prototypes (the template ensemble), their cache, and tensor bookkeeping over classify-like loops.

import type { RawImage } from '@attune/contracts';
import { l2Normalize, tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipVisionLanguageModel, loadVisionLanguageModel } from '../src/clip-model.js';
import { maxRelativeError, TINY_CLIP } from './fixtures.js';

const CLASSES = ['zero', 'one', 'two', 't-shirt'];
const TEMPLATES = ['a photo of a {}.', 'a blurry photo of the {}.', 'a handwritten {}.'];

let model: ClipVisionLanguageModel;
beforeAll(async () => {
  model = await loadVisionLanguageModel(TINY_CLIP, { threads: 1 });
});
afterAll(async () => {
  await model.dispose();
});

describe('classPrototypes', () => {
  it('is the renormalised mean over templates of normalised text features', async () => {
    const prototypes = await model.classPrototypes(CLASSES, TEMPLATES);
    expect(prototypes.shape).toEqual([4, 24]);
    // Reference computed independently, one class at a time.
    for (let c = 0; c < CLASSES.length; c++) {
      const features = await model.encodeTexts(TEMPLATES.map((t) => t.replace('{}', CLASSES[c]!)));
      const expected = tf.tidy(() => l2Normalize(tf.sum(l2Normalize(features), 0)));
      const row = tf.tidy(() => tf.slice(prototypes, [c, 0], [1, 24]));
      expect(maxRelativeError(row.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      tf.dispose([features, expected, row]);
    }
    const norms = tf.tidy(() => tf.norm(prototypes, 2, 1));
    for (const n of norms.dataSync()) expect(n).toBeCloseTo(1, 5);
    norms.dispose();
  });

  it('one template = the single prompt, normalised', async () => {
    const single = await model.classPrototypes(CLASSES, ['a photo of a {}.']);
    const features = await model.encodeTexts(CLASSES.map((c) => `a photo of a ${c}.`));
    const expected = l2Normalize(features);
    expect(maxRelativeError(single.dataSync(), expected.dataSync())).toBeLessThan(1e-6);
    tf.dispose([features, expected]);
  });

  it('returns the cached tensor for the same classes and templates, a new one otherwise', async () => {
    const a = await model.classPrototypes(CLASSES, TEMPLATES);
    const before = tf.memory().numTensors;
    const [b, c] = await Promise.all([
      model.classPrototypes(CLASSES, TEMPLATES),
      model.classPrototypes([...CLASSES], [...TEMPLATES]),
    ]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(tf.memory().numTensors).toBe(before);
    const reordered = await model.classPrototypes([...CLASSES].reverse(), TEMPLATES);
    expect(reordered).not.toBe(a);
    expect(tf.memory().numTensors).toBe(before + 1);
  });

  it('frees cached prototypes on dispose', async () => {
    const own = await loadVisionLanguageModel(TINY_CLIP, { threads: 1 });
    const start = tf.memory().numTensors;
    const p = await own.classPrototypes(CLASSES, TEMPLATES);
    const q = await own.classPrototypes(CLASSES, ['a photo of a {}.']);
    expect(tf.memory().numTensors).toBe(start + 2);
    await own.dispose();
    expect(p.isDisposed).toBe(true);
    expect(q.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(start);
    await expect(own.classPrototypes(CLASSES, TEMPLATES)).rejects.toThrow(
      `model ${TINY_CLIP} has been disposed`,
    );
  });

  it('rejects empty and duplicated class lists and templates without a placeholder', async () => {
    await expect(model.classPrototypes([], TEMPLATES)).rejects.toThrow(
      'expected at least one class name, got an empty list',
    );
    await expect(model.classPrototypes(['one', 'two', 'one'], TEMPLATES)).rejects.toThrow(
      'duplicate class name "one" (positions 0 and 2); class names must be distinct',
    );
    await expect(model.classPrototypes(['one'], ['a photo'])).rejects.toThrow(
      'template 0 "a photo" has no "{}" placeholder; expected e.g. "a photo of a {}."',
    );
  });
});

describe('classify-like loop', () => {
  function digitImage(seed: number): RawImage {
    const data = new Uint8Array(28 * 28);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 17) % 256;
    return { data, width: 28, height: 28, channels: 1 };
  }

  async function classifyOnce(seed: number): Promise<number[]> {
    const prototypes = await model.classPrototypes(CLASSES, TEMPLATES);
    const crop = model.centerCrop(digitImage(seed));
    const views = tf.tidy(() => tf.concat([tf.expandDims(crop, 0), tf.reverse(tf.expandDims(crop, 0), 3)]));
    const pixels = model.normalizeViews(views as tf.Tensor4D);
    const features = await model.encodeImages(pixels);
    const logits = model.logits(features, prototypes);
    const values = Array.from(logits.dataSync());
    tf.dispose([crop, views, pixels, features, logits]);
    return values;
  }

  it('leaves no tensors behind and is deterministic', async () => {
    const first = await classifyOnce(1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await classifyOnce(i);
    expect(tf.memory().numTensors).toBe(before);
    expect(await classifyOnce(1)).toEqual(first);
  });

  it('centerCrop + normalizeViews equals preprocess', () => {
    const image = digitImage(3);
    const viaViews = tf.tidy(() =>
      model.normalizeViews(tf.expandDims(model.centerCrop(image), 0) as tf.Tensor4D),
    );
    const direct = model.preprocess(image);
    expect(maxRelativeError(viaViews.dataSync(), direct.dataSync())).toBeLessThan(1e-6);
    tf.dispose([viaViews, direct]);
  });
});
