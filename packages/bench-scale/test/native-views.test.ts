// TPT's 64 views of real 1024-px photos with the crops resized by onnxruntime (PilResize, the views'
// default in the CLIP methods) against PIL's fixed-point passes in JS (augmentViews, Pillow bit for bit):
// the same crops and flips; measured over 4 photos × 3 seeds × 64 views (115.6 M values): 0.10 % differ by one
// 8-bit level (0.21 % at most, cat seed 1), one value by two levels (cat seed 0, view 34), none by more.
import { createOnnxBackend, PilResize } from '@attune/backend-onnx';
import { augmentViews, augmentViewsWith, interleavedToByteImage } from '@attune/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPhoto, PHOTO_PACKAGES } from '../src/photos.js';

const backend = createOnnxBackend({ intraOpNumThreads: 1 });
let resizer: PilResize;
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
