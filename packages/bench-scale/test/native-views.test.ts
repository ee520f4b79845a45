// TPT's 64 views of real 1024-px photos with the crops resized by onnxruntime (PilResize, the views'
// default in the CLIP methods) against PIL's fixed-point passes in JS (augmentViews, Pillow bit for bit):
// the same crops and flips; measured over 4 photos × 3 seeds × 64 views (115.6 M values): 0.10 % differ by one
// 8-bit level (0.21 % at most, cat seed 1), one value by two levels (cat seed 0, view 34), none by more.
// And the views in one onnxruntime call (TestTimeViewsGraph, from planViews' draws) against that per-crop
// path: the same bytes, for every photo, for grey and RGBA input and for a photo view 0 need not resize.
import { createOnnxBackend, PilResize, TestTimeViewsGraph } from '@attune/backend-onnx';
import { augmentViews, augmentViewsWith, interleavedToByteImage, planViews } from '@attune/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPhoto, PHOTO_PACKAGES } from '../src/photos.js';

const backend = createOnnxBackend({ intraOpNumThreads: 1 });
let resizer: PilResize;
const graph = new TestTimeViewsGraph(backend);
beforeAll(async () => {
  resizer = await PilResize.create(backend);
});
afterAll(async () => {
  await backend.dispose();
});

describe('views resized in onnxruntime', () => {
  it.each(PHOTO_PACKAGES.slice(0, 2).map((name, i) => [name, i]))(
    '%s: 64 views within PIL to one level but for at most a couple of values, one level in < 0.3 %',
    async (name, seed) => {
      const { data, width, height, channels } = loadPhoto(name).image;
      if (!(data instanceof Uint8Array)) throw new Error('expected the decoded photo as 8-bit data');
      const image = interleavedToByteImage({ data, width, height, channels });
      const options = { views: 64, size: 224, seed };
      const pil = augmentViews(image, options);
      const onnx = await augmentViewsWith(image, options, (crop) => resizer.resize(crop));
      expect(onnx.shape).toEqual(pil.shape);
      let worst = 0;
      let differing = 0;
      let beyondOne = 0;
      for (let i = 0; i < pil.data.length; i++) {
        const d = Math.abs(Math.round(onnx.data[i]! * 255) - Math.round(pil.data[i]! * 255));
        worst = Math.max(worst, d);
        if (d > 0) differing++;
        if (d > 1) beyondOne++;
      }
      expect(worst).toBeLessThanOrEqual(2);
      expect(beyondOne).toBeLessThanOrEqual(2);
      expect(differing / pil.data.length).toBeLessThan(3e-3);
    },
    60_000,
  );

  type Photo = { data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4 };
  const photo = (name: string): Photo => {
    const { data, width, height, channels } = loadPhoto(name).image;
    if (!(data instanceof Uint8Array)) throw new Error('expected the decoded photo as 8-bit data');
    return { data, width, height, channels };
  };
  /** The photo's channel 1 only (grey), or with an alpha channel of noise that must be ignored. */
  const withChannels = ({ data, width, height }: Photo, channels: 1 | 4): Photo => {
    const out = new Uint8Array(width * height * channels);
    for (let i = 0; i < width * height; i++) {
      if (channels === 1) out[i] = data[i * 3 + 1]!;
      else {
        out.set(data.subarray(i * 3, i * 3 + 3), i * 4);
        out[i * 4 + 3] = (i * 37) & 255;
      }
    }
    return { data: out, width, height, channels };
  };
  const cases: [string, () => Photo, number][] = [
    ...PHOTO_PACKAGES.map((name, i): [string, () => Photo, number] => [name, () => photo(name), i]),
    ['grey', () => withChannels(photo(PHOTO_PACKAGES[0]), 1), 5],
    ['RGBA', () => withChannels(photo(PHOTO_PACKAGES[1]), 4), 6],
    // Already 224 on its shorter side: view 0 is only centre-cropped.
    [
      '224 high',
      () => ({
        ...photo(PHOTO_PACKAGES[0]),
        height: 224,
        data: photo(PHOTO_PACKAGES[0]).data.subarray(0, 224 * 1024 * 3),
      }),
      7,
    ],
  ];

  it.each(cases)(
    '%s: the views in one call are the per-crop path bit for bit',
    async (_name, load, seed) => {
      const image = load();
      const options = { views: 64, size: 224, seed };
      const perCrop = await augmentViewsWith(interleavedToByteImage(image), options, (crop) =>
        resizer.resize(crop),
      );
      const plan = planViews(image.width, image.height, options);
      expect(plan.first.resize === undefined).toBe(Math.min(image.width, image.height) === 224);
      const oneCall = await graph.run(image, plan);
      expect(oneCall.shape).toEqual(perCrop.shape);
      let differing = 0;
      for (let i = 0; i < perCrop.data.length; i++) if (oneCall.data[i] !== perCrop.data[i]) differing++;
      expect(differing).toBe(0);
      expect(plan.crops.some((c) => c.flip) && plan.crops.some((c) => !c.flip)).toBe(true);
    },
    60_000,
  );

  it('the one-call views refuse a photo or a plan that does not fit, naming what would', async () => {
    const image = { data: new Uint8Array(300 * 240 * 3), width: 300, height: 240, channels: 3 };
    const plan = planViews(300, 240, { views: 4, size: 224, seed: 0 });
    await expect(graph.run({ ...image, data: image.data.subarray(1) }, plan)).rejects.toThrow(
      'views: expected 216000 bytes for [240,300,3], got 215999',
    );
    await expect(graph.run({ ...image, channels: 2 }, plan)).rejects.toThrow(
      'expected an interleaved 8-bit photo [H,W,1|3|4]',
    );
    const outside = { ...plan, crops: [{ left: 200, top: 0, width: 101, height: 50, flip: false }] };
    await expect(graph.run(image, outside)).rejects.toThrow(
      'views: crop 1 (101x50 at 200, 0) does not fit the 300x240 photo',
    );
    const first = { ...plan, first: { ...plan.first, left: 100 } };
    await expect(graph.run(image, first)).rejects.toThrow(
      "view 0's 224x224 crop at (100, 0) does not fit its 280x224 image",
    );
  });

  it('refuses a buffer that does not match its shape, naming both sizes', async () => {
    const image = { channels: 3, width: 4, height: 4 };
    await expect(
      resizer.resize({ ...image, data: new Uint8Array(10), outWidth: 2, outHeight: 2 }),
    ).rejects.toThrow('resize: expected 3x4x4 = 48 bytes, got 10');
    await expect(
      resizer.resize({ ...image, data: new Uint8Array(48), outWidth: 0, outHeight: 2 }),
    ).rejects.toThrow('resize: expected a positive integer output size, got 0x2');
  });
});
