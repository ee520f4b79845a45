import { describe, expect, it } from 'vitest';
import { sampleResizedCropBox } from '../src/augment/random-resized-crop.js';
import { createRng } from '../src/random.js';

/** A scripted source of uniforms, to drive torchvision's loop down a chosen path. */
const scripted = (uniforms: number[]) => ({
  uniform: () => {
    const next = uniforms.shift();
    if (next === undefined) throw new Error('script exhausted');
    return next;
  },
  int: (low: number, high: number) => low + Math.floor((high - low) / 2),
});

describe('sampleResizedCropBox (torchvision RandomResizedCrop.get_params)', () => {
  it('keeps every crop inside the image, within the scale and ratio ranges (up to rounding)', () => {
    const rng = createRng(9);
    for (let i = 0; i < 2000; i++) {
      const { top, left, height, width } = sampleResizedCropBox(28, 28, rng);
      expect(top >= 0 && left >= 0 && top + height <= 28 && left + width <= 28).toBe(true);
      const area = (height * width) / 784;
      expect(area).toBeGreaterThan(0.08 * 0.7);
      expect(area).toBeLessThanOrEqual(1);
      expect(width / height).toBeGreaterThan((3 / 4) * 0.8);
      expect(width / height).toBeLessThan((4 / 3) * 1.25);
    }
  });

  it('computes w, h with Python rounding from the sampled area and log-ratio', () => {
    // area = 100·(0.08 + 0.92·0.5) = 54, ratio = exp(log(3/4) + log(16/9)·0.5) = 1 -> w = h = round(7.35) = 7
    const box = sampleResizedCropBox(10, 10, scripted([0.5, 0.5]));
    expect(box).toEqual({ top: 2, left: 2, height: 7, width: 7 });
  });

  it('falls back to the ratio-clamped centre crop after 10 failed attempts', () => {
    // Full area at ratio 4/3 never fits: 10 misses, then the centre crop.
    const misses = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0.999999 : 0.999999));
    expect(sampleResizedCropBox(30, 30, scripted([...misses]))).toEqual({
      top: 0,
      left: 0,
      height: 30,
      width: 30,
    });
    // A wide image is clamped to ratio 4/3: h = 10, w = round(13.33) = 13, centred.
    expect(sampleResizedCropBox(10, 100, scripted([...misses]))).toEqual({
      top: 0,
      left: 43,
      height: 10,
      width: 13,
    });
    // A tall one to ratio 3/4: w = 10, h = round(13.33) = 13.
    expect(sampleResizedCropBox(100, 10, scripted([...misses]))).toEqual({
      top: 43,
      left: 0,
      height: 13,
      width: 10,
    });
  });
});
