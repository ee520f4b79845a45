// Every bad input gets an error that names what is wrong and what would be right.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawImage } from '@attune/contracts';
import { tf } from '@attune/tensor';
import { MissingModelFileError } from '@attune/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipVisionLanguageModel, loadVisionLanguageModel } from '../src/clip-model.js';
import { maxRelativeError, TINY_CLIP } from './fixtures.js';

let model: ClipVisionLanguageModel;
beforeAll(async () => {
  model = await loadVisionLanguageModel(TINY_CLIP, { threads: 1 });
});
afterAll(async () => {
  await model.dispose();
});

describe('images', () => {
  it('resizes an image of another size, and says how', () => {
    const image: RawImage = {
      data: new Uint8Array(40 * 30 * 3).fill(90),
      width: 40,
      height: 30,
      channels: 3,
    };
    expect(model.preprocessPlan(image).note).toBe(
      'resized 40x30 -> 37x28 (bicubic), centre crop 28x28 at (4, 0)',
    );
    const pixels = model.preprocess(image);
    expect(pixels.shape).toEqual([3, 28, 28]);
    pixels.dispose();
  });

  it('refuses 2-channel images, naming the accepted counts', () => {
    const image = {
      data: new Uint8Array(28 * 28 * 2),
      width: 28,
      height: 28,
      channels: 2,
    } as unknown as RawImage;
    expect(() => model.preprocess(image)).toThrow(
      'expected 1 (grayscale), 3 (RGB) or 4 (RGBA) channels, got 2',
    );
  });

  it('refuses NaN pixels', () => {
    const data = new Float32Array(28 * 28).fill(0.5);
    data[5] = Number.NaN;
    expect(() => model.preprocess({ data, width: 28, height: 28, channels: 1 })).toThrow(
      'image: pixel value NaN at x 5, y 0, channel 0',
    );
  });
});

describe('views', () => {
  it('refuses a view tensor of the wrong rank', () => {
    const single = tf.zeros([3, 28, 28]);
    expect(() => model.normalizeViews(single as unknown as tf.Tensor4D)).toThrow(
      'expected views [N,3,H,W], got [3,28,28]',
    );
    single.dispose();
  });

  it('refuses views with NaN or outside [0,1] (already normalised?)', () => {
    const nan = tf.fill([2, 3, 28, 28], Number.NaN) as tf.Tensor4D;
    expect(() => model.normalizeViews(nan)).toThrow(
      'views [2,3,28,28] contain NaN; expected values in [0,1]',
    );
    const normalised = tf.fill([1, 3, 28, 28], -1.7) as tf.Tensor4D;
    expect(() => model.normalizeViews(normalised)).toThrow(
      "views must be in [0,1] (before normalisation), got values in [-1.7000000476837158, -1.7000000476837158]; normalizeViews applies CLIP's mean/std itself",
    );
    tf.dispose([nan, normalised]);
  });

  it('resizes views of another size (shorter side, centre crop)', () => {
    const same = tf.tidy(() => tf.mul(tf.ones([2, 3, 56, 70]), tf.tensor4d([0.2, 0.5, 0.9], [1, 3, 1, 1])));
    const out = model.normalizeViews(same as tf.Tensor4D);
    expect(out.shape).toEqual([2, 3, 28, 28]);
    const expected = [0.2, 0.5, 0.9].map(
      (v, c) => (v - model.config.imageMean[c]!) / model.config.imageStd[c]!,
    );
    const values = out.dataSync();
    expect(maxRelativeError([values[0]!, values[28 * 28]!, values[2 * 28 * 28]!], expected)).toBeLessThan(
      1e-5,
    );
    tf.dispose([same, out]);
  });

  it('refuses pixels of the wrong size for the image tower', async () => {
    const pixels = tf.zeros([1, 3, 32, 32]) as tf.Tensor4D;
    await expect(model.encodeImages(pixels)).rejects.toThrow(
      'expected normalised pixel_values [N,3,28,28], got [1,3,32,32]',
    );
    pixels.dispose();
  });
});

describe('texts', () => {
  it('truncates text longer than the context length, keeping EOT last (as clip.tokenize(truncate=True))', async () => {
    const long = 'a photo of a one two zero one two zero one two zero one two';
    const batch = model.tokenize([long]);
    expect(batch.truncated).toEqual([0]);
    expect(batch.eotIndex[0]).toBe(11);
    expect(batch.ids[11]).toBe(model.tokenizer.specialIds.eot);
    const features = await model.encodeTexts([long]);
    expect(features.shape).toEqual([1, 24]);
    features.dispose();
  });

  it('refuses an empty text list', async () => {
    await expect(model.encodeTexts([])).rejects.toThrow('expected at least one text to encode, got none');
  });

  it('refuses empty and duplicated class lists in promptParts', async () => {
    await expect(model.promptParts([])).rejects.toThrow(
      'expected at least one class name, got an empty list',
    );
    await expect(model.promptParts(['two', 'two'])).rejects.toThrow(
      'duplicate class name "two" (positions 0 and 1)',
    );
  });
});

describe('model folders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-models-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a folder without a text tower fails with the zoo error naming the file', async () => {
    const folder = join(dir, 'no-text');
    await mkdir(join(folder, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'onnx/vision_model.onnx']) {
      await copyFile(join(TINY_CLIP, f), join(folder, f));
    }
    const error = await loadVisionLanguageModel(folder).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingModelFileError);
    expect((error as Error).message).toMatch(/text tower/);
    expect((error as Error).message).toMatch(/text_model\.onnx/);
  });

  it('a folder without the embeddings entry point loads; prompt tuning derives it by graph surgery and says so', async () => {
    const folder = join(dir, 'no-embeds');
    await mkdir(join(folder, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'onnx/vision_model.onnx', 'onnx/text_model.onnx']) {
      await copyFile(join(TINY_CLIP, f), join(folder, f));
    }
    const previous = process.env.ATTUNE_CACHE_DIR;
    process.env.ATTUNE_CACHE_DIR = join(dir, 'cache');
    const notices: string[] = [];
    const partial = await loadVisionLanguageModel(folder, { threads: 1, onNotice: (m) => notices.push(m) });
    try {
      const features = await partial.encodeTexts(['a photo of a one.']);
      features.dispose();
      expect(() =>
        partial.encodeTextEmbeds(tf.zeros([1, 12, 32]) as tf.Tensor3D, tf.tensor1d([2], 'int32')),
      ).toThrow('the differentiable text encoder is not loaded: await model.prepareGradients()');
      await partial.prepareGradients();
      expect(notices.join('\n')).toMatch(/has no inputs_embeds entry point: cut one by graph surgery/);
      const { ids } = partial.tokenize(['one']);
      const embeds = await partial.tokenEmbeddings(ids, 1);
      expect(embeds.shape).toEqual([1, 12, 32]);
      embeds.dispose();
    } finally {
      await partial.dispose();
      if (previous === undefined) delete process.env.ATTUNE_CACHE_DIR;
      else process.env.ATTUNE_CACHE_DIR = previous;
    }
  });

  it('an unknown zoo id lists the known ones', async () => {
    await expect(loadVisionLanguageModel('zoo:no-such-model')).rejects.toThrow(/zoo:no-such-model/);
  });
});
