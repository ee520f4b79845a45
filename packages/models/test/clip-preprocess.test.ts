import type { RawImage } from '@attune/contracts';
import { describe, expect, it } from 'vitest';
import { clipPreprocess, planPreprocess } from '../src/clip-preprocess.js';
import { pilResize } from '../src/pil-resize.js';
import { maxAbsError, readFixture } from './fixtures.js';

interface PreprocessCase {
  width: number;
  height: number;
  channels: 1 | 3;
  data: number[];
  expected: number[];
  resized: [number, number];
}
const reference = readFixture<{ size: number; mean: number[]; std: number[]; cases: PreprocessCase[] }>(
  'preprocess-reference.json',
);
const options = { size: reference.size, mean: reference.mean, std: reference.std };

describe('clipPreprocess vs torchvision (OpenAI CLIP _transform on a PIL image)', () => {
  for (const c of reference.cases) {
    it(`${c.width}x${c.height}x${c.channels} matches to float32 rounding`, () => {
      const image: RawImage = {
        data: Uint8Array.from(c.data),
        width: c.width,
        height: c.height,
        channels: c.channels,
      };
      const { pixels, plan } = clipPreprocess(image, options);
      expect(pixels.length).toBe(3 * 28 * 28);
      // Pillow's integer resampling is reproduced exactly, so only float32 normalisation rounding remains.
      expect(maxAbsError(pixels, c.expected)).toBeLessThan(1e-6);
      const size = plan.resizeTo ?? plan.input;
      expect([size.width, size.height]).toEqual(c.resized);
    });
  }

  it('describes the resize and crop it applies', () => {
    const plan = planPreprocess(40, 30, 28);
    expect(plan.resizeTo).toEqual({ width: 37, height: 28 });
    expect(plan.crop).toEqual({ left: 4, top: 0, size: 28 });
    expect(plan.note).toBe('resized 40x30 -> 37x28 (bicubic), centre crop 28x28 at (4, 0)');
    expect(planPreprocess(28, 28, 28).note).toBe('no resize');
    // torchvision rounds the crop offset half to even: (29 - 28) / 2 = 0.5 -> 0; (31 - 28) / 2 = 1.5 -> 2.
    expect(planPreprocess(28, 29, 28).crop.top).toBe(0);
    expect(planPreprocess(28, 31, 28).crop.top).toBe(2);
  });

  it('replicates grayscale and drops alpha', () => {
    const gray: RawImage = { data: Uint8Array.from([0, 255, 128, 64]), width: 2, height: 2, channels: 1 };
    const rgba: RawImage = {
      data: Uint8Array.from([0, 0, 0, 9, 255, 255, 255, 0, 128, 128, 128, 77, 64, 64, 64, 255]),
      width: 2,
      height: 2,
      channels: 4,
    };
    const small = { size: 2, mean: [0, 0, 0], std: [1, 1, 1] };
    const a = clipPreprocess(gray, small).pixels;
    const b = clipPreprocess(rgba, small).pixels;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a.subarray(0, 4))).toEqual([0, 1, Math.fround(128 / 255), Math.fround(64 / 255)]);
    expect(Array.from(a.subarray(8, 12))).toEqual(Array.from(a.subarray(0, 4)));
  });

  it('keeps float images in [0,1] without rescaling', () => {
    const image: RawImage = { data: Float32Array.from([0, 0.5, 1, 0.25]), width: 2, height: 2, channels: 1 };
    const { pixels } = clipPreprocess(image, { size: 2, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(Array.from(pixels.subarray(0, 4))).toEqual([-1, 0, 1, -0.5]);
  });
});

describe('bad images', () => {
  const opts = { size: 4, mean: [0, 0, 0], std: [1, 1, 1] };
  it('names the channel counts it accepts', () => {
    const image = {
      data: new Uint8Array(2 * 2 * 2),
      width: 2,
      height: 2,
      channels: 2,
    } as unknown as RawImage;
    expect(() => clipPreprocess(image, opts)).toThrow(
      'image: expected 1 (grayscale), 3 (RGB) or 4 (RGBA) channels, got 2; convert the image first',
    );
  });
  it('refuses NaN pixels, naming where', () => {
    const data = new Float32Array(3 * 3 * 3).fill(0.5);
    data[3 * 4 + 1] = Number.NaN;
    expect(() => clipPreprocess({ data, width: 3, height: 3, channels: 3 }, opts)).toThrow(
      'image: pixel value NaN at x 1, y 1, channel 1; expected finite values in [0, 1]',
    );
  });
  it('refuses float images outside [0,1]', () => {
    const data = new Float32Array(4).fill(255);
    expect(() => clipPreprocess({ data, width: 2, height: 2, channels: 1 }, opts)).toThrow(
      /float pixel value 255 at x 0, y 0, channel 0 is outside \[0, 1\].*pass a Uint8Array/,
    );
  });
  it('refuses data of the wrong length', () => {
    expect(() =>
      clipPreprocess({ data: new Uint8Array(11), width: 2, height: 2, channels: 3 }, opts),
    ).toThrow('image: expected 12 values (2x2x3, HWC), got 11; is width, height or channels wrong?');
  });
});

describe('pilResize', () => {
  it('keeps a constant image constant (weights sum to one) in both directions', () => {
    const data = new Uint8Array(9 * 7).fill(200);
    for (const [w, h] of [
      [4, 3],
      [20, 15],
    ] as const) {
      const out = pilResize({ data, width: 9, height: 7, channels: 1 }, w, h);
      expect(out.width).toBe(w);
      expect(out.height).toBe(h);
      expect(new Set(out.data)).toEqual(new Set([200]));
    }
  });
  it('float and 8-bit paths agree to rounding', () => {
    const bytes = Uint8Array.from({ length: 11 * 5 }, (_, i) => (i * 37) % 256);
    const floats = Float32Array.from(bytes);
    const a = pilResize({ data: bytes, width: 11, height: 5, channels: 1 }, 6, 9);
    const b = pilResize({ data: floats, width: 11, height: 5, channels: 1 }, 6, 9);
    const clamped = Array.from(b.data, (v) => Math.min(255, Math.max(0, v)));
    // The 8-bit path rounds after each pass (two roundings of at most 0.5 each, the first scaled by the
    // kernel's absolute mass, about 1.1 for bicubic).
    expect(maxAbsError(a.data, clamped)).toBeLessThan(1.2);
  });
});
