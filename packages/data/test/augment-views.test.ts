import { readFileSync } from 'node:fs';
import { tf } from '@attune/tensor';
import { describe, expect, it } from 'vitest';
import {
  augmentViews,
  CLIP_MEAN,
  CLIP_STD,
  datasetImage,
  type FloatImage,
  loadMnist,
  viewsToTensor,
} from '../src/index.js';

const digit = datasetImage(loadMnist('test'), 0);
const fixture = JSON.parse(readFileSync(new URL('../fixtures/resample.json', import.meta.url), 'utf8')) as {
  mnistView0: { size: number; expected: number[] };
};

const view = (data: Float32Array, index: number, channel: number, size: number) =>
  data.subarray((index * 3 + channel) * size * size, (index * 3 + channel + 1) * size * size);

describe('augmentViews (TPT AugMixAugmenter)', () => {
  it('returns [views, 3, size, size] with view 0 = bicubic resize + centre crop, as PIL on 8 bits', () => {
    const { data, shape } = augmentViews(digit, { views: 4, size: 224, seed: 0 });
    expect(shape).toEqual([4, 3, 224, 224]);
    expect(data).toHaveLength(4 * 3 * 224 * 224);
    const expected = fixture.mnistView0.expected;
    const first = view(data, 0, 0, 224);
    let worst = 0;
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs(first[i]! * 255 - expected[i]!));
    // PIL's fixed-point coefficients may round a level differently from torch's float passes.
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('replicates grey into three identical channels', () => {
    const { data } = augmentViews(digit, { views: 3, size: 32, seed: 1 });
    for (let v = 0; v < 3; v++) {
      expect(view(data, v, 1, 32)).toEqual(view(data, v, 0, 32));
      expect(view(data, v, 2, 32)).toEqual(view(data, v, 0, 32));
    }
  });

  it('is reproducible under a seed, differs across seeds, and keeps view 0 fixed', () => {
    const a = augmentViews(digit, { views: 8, size: 48, seed: 3 }).data;
    expect(augmentViews(digit, { views: 8, size: 48, seed: 3 }).data).toEqual(a);
    const b = augmentViews(digit, { views: 8, size: 48, seed: 4 }).data;
    expect(b).not.toEqual(a);
    expect(view(b, 0, 0, 48)).toEqual(view(a, 0, 0, 48));
    // The random views really differ from each other.
    expect(view(a, 1, 0, 48)).not.toEqual(view(a, 2, 0, 48));
  });

  it('flips about half of the views: mirrored crops match a flipped re-crop of the same box', () => {
    // A left-bright image: unflipped crops are brighter on the left, flipped ones on the right.
    const ramp: FloatImage = {
      width: 32,
      height: 32,
      channels: 1,
      data: Float32Array.from({ length: 1024 }, (_, i) => 1 - (i % 32) / 31),
    };
    const { data } = augmentViews(ramp, { views: 200, size: 16, seed: 8 });
    let flipped = 0;
    for (let v = 1; v < 200; v++) {
      const plane = view(data, v, 0, 16);
      flipped += plane[0]! < plane[15]! ? 1 : 0;
    }
    expect(flipped / 199).toBeGreaterThan(0.38);
    expect(flipped / 199).toBeLessThan(0.62);
  });

  it('keeps values in [0,1] by default and applies CLIP mean/std when asked', () => {
    const plain = augmentViews(digit, { views: 2, size: 32, seed: 2 }).data;
    expect(plain.every((v) => v >= 0 && v <= 1)).toBe(true);
    const normalised = augmentViews(digit, { views: 2, size: 32, seed: 2, normalize: 'clip' }).data;
    for (let c = 0; c < 3; c++) {
      const raw = view(plain, 1, c, 32);
      const norm = view(normalised, 1, c, 32);
      const [m, sd] = [CLIP_MEAN[c]!, CLIP_STD[c]!];
      for (let i = 0; i < raw.length; i += 37) expect(norm[i]).toBeCloseTo((raw[i]! - m) / sd, 5);
    }
  });

  it('AugMix changes views 1.. but not view 0, stays in [0,1], and is seeded', () => {
    const plain = augmentViews(digit, { views: 6, size: 64, seed: 5 }).data;
    const mixed = augmentViews(digit, { views: 6, size: 64, seed: 5, augmix: true }).data;
    expect(augmentViews(digit, { views: 6, size: 64, seed: 5, augmix: true }).data).toEqual(mixed);
    expect(view(mixed, 0, 0, 64)).toEqual(view(plain, 0, 0, 64));
    expect(mixed.subarray(3 * 64 * 64)).not.toEqual(plain.subarray(3 * 64 * 64));
    expect(mixed.every((v) => v >= 0 && v <= 1 + 1e-6)).toBe(true);
  });

  it('converts to a [views,3,H,W] tf tensor without leaking', () => {
    const views = augmentViews(digit, { views: 3, size: 16, seed: 6 });
    const before = tf.memory().numTensors;
    const tensor = viewsToTensor(views);
    expect(tensor.shape).toEqual([3, 3, 16, 16]);
    expect(tensor.dataSync()).toEqual(views.data);
    expect(tf.memory().numTensors).toBe(before + 1);
    tensor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options and shapes with what was expected', () => {
    expect(() => augmentViews(digit, { views: 0 })).toThrow('views must be an integer >= 1, got 0');
    expect(() => augmentViews(digit, { size: 10.5 })).toThrow('size must be an integer >= 1, got 10.5');
    const twoChannel = { width: 4, height: 4, channels: 2, data: new Float32Array(32) };
    expect(() => augmentViews(twoChannel)).toThrow(
      'expected a grey [1,H,W] or RGB [3,H,W] image, got [2,4,4]',
    );
  });
});

describe('augmentViews on 8-bit input', () => {
  it('gives the float path’s views bit for bit, from an interleaved RGB image without the float detour', async () => {
    const { interleavedToByteImage, interleavedToPlanar } = await import('../src/index.js');
    const width = 37;
    const height = 23;
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7919 + (i >> 5)) & 255);
    const pixels = { data: rgb, width, height, channels: 3 };
    for (const augmix of [false, true]) {
      const viaFloat = augmentViews(interleavedToPlanar(pixels), { views: 6, size: 16, seed: 2, augmix });
      const viaBytes = augmentViews(interleavedToByteImage(pixels), { views: 6, size: 16, seed: 2, augmix });
      expect(Array.from(viaBytes.data)).toEqual(Array.from(viaFloat.data));
    }
    expect(() => interleavedToByteImage({ ...pixels, width: 36 })).toThrow(
      'expected 2484 values (23x36x3, HWC), got 2553',
    );
  });
});
