import { describe, expect, it } from 'vitest';
import { defocusKernel } from '../src/corruptions/blur.js';
import { jpegCompression } from '../src/corruptions/digital.js';
import { gaussianNoise, impulseNoise, shotNoise } from '../src/corruptions/noise.js';
import { SEVERITY_TABLE } from '../src/corruptions/severity-table.js';
import { brightness } from '../src/corruptions/weather.js';
import { type FloatImage, psnr } from '../src/image.js';
import { frostTexture } from '../src/ops/frost-texture.js';
import { motionBlurPlane } from '../src/ops/motion-blur.js';
import { plasmaFractal } from '../src/ops/plasma-fractal.js';
import { atReferenceScale } from '../src/ops/reference-scale.js';
import { createRng } from '../src/random.js';
import { mean, realImages } from './real-images.js';

const flat = (value: number, side = 64): FloatImage => ({
  width: side,
  height: side,
  channels: 1,
  data: new Float32Array(side * side).fill(value),
});

describe('noise models', () => {
  it('gaussian noise has the table std on a mid-grey image', () => {
    const out = gaussianNoise(flat(0.5), 0.08, createRng(1));
    const deviations = [...out.data].map((v) => v - 0.5);
    expect(Math.sqrt(mean(deviations.map((d) => d * d)))).toBeCloseTo(0.08, 2);
  });

  it('shot noise keeps the mean and has variance x/c', () => {
    const out = shotNoise(flat(0.5), 25, createRng(2));
    const values = [...out.data];
    expect(mean(values)).toBeCloseTo(0.5, 1);
    expect(mean(values.map((v) => (v - 0.5) ** 2))).toBeCloseTo(0.5 / 25, 2);
  });

  it('impulse noise flips the given fraction, half to white, half to black', () => {
    const out = impulseNoise(flat(0.5, 128), 0.17, createRng(3));
    const white = out.data.filter((v) => v === 1).length / out.data.length;
    const black = out.data.filter((v) => v === 0).length / out.data.length;
    // 16384 draws: the binomial standard deviation of the fraction is about 0.003.
    expect(Math.abs(white + black - 0.17)).toBeLessThan(0.01);
    expect(Math.abs(white - black)).toBeLessThan(0.01);
  });
});

describe('kernels and textures', () => {
  it('defocus kernels are normalised, symmetric and widen with the radius', () => {
    for (const [radius, alias] of SEVERITY_TABLE.defocus_blur) {
      const { kernel, size } = defocusKernel(radius, alias);
      const total = kernel.reduce((a, b) => a + b, 0);
      // Radii 8 and 10 reach the edge of their 17×17 / 21×21 arrays, where the reference's reflect-101
      // antialias blur folds mass back in (ImageNet-C's kernel sums to a little over 1 there; so does this).
      if (radius < 8) expect(total).toBeCloseTo(1, 10);
      else expect(total > 1 && total < 1.02).toBe(true);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++)
          expect(kernel[y * size + x]).toBeCloseTo(kernel[x * size + (size - 1 - y)]!, 12);
      }
    }
    const centre = (r: number, a: number) => {
      const { kernel, size } = defocusKernel(r, a);
      return kernel[((size - 1) / 2) * size + (size - 1) / 2]!;
    };
    expect(centre(3, 0.1)).toBeGreaterThan(centre(10, 0.5));
  });

  it('motion blur smears one-sidedly along its angle', () => {
    const plane = new Float32Array(21 * 21);
    plane[10 * 21 + 10] = 1;
    // At 0° each pixel averages itself and the pixels to its right, so the dot smears to the left.
    const out = motionBlurPlane(plane, 21, 21, 4, 2, 0);
    expect(out[10 * 21 + 10]).toBeGreaterThan(0);
    expect(out[10 * 21 + 6]).toBeGreaterThan(0);
    expect(out[10 * 21 + 11]).toBe(0);
    expect(out[9 * 21 + 10]).toBe(0);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('plasma fractals span [0,1] and need a power-of-two size', () => {
    const map = plasmaFractal(createRng(4), 32, 2);
    expect(Math.min(...map)).toBe(0);
    expect(Math.max(...map)).toBe(1);
    expect(() => plasmaFractal(createRng(4), 28, 2)).toThrow('mapSize must be a power of two >= 2, got 28');
  });

  it('frost textures are seeded, in [0,1], with haze and brighter crystals', () => {
    const a = frostTexture(createRng(5), 28, 28);
    expect(frostTexture(createRng(5), 28, 28)).toEqual(a);
    expect(frostTexture(createRng(6), 28, 28)).not.toEqual(a);
    expect(a.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(mean([...a])).toBeGreaterThan(0.2);
    expect(Math.max(...a)).toBeGreaterThan(mean([...a]) + 0.2);
  });
});

describe('atReferenceScale', () => {
  it('returns the image unchanged when the corruption changes nothing (no resampling blur)', () => {
    const image = realImages().mnist[0]!;
    expect(atReferenceScale(image, (large) => large).data).toEqual(image.data);
  });

  it('runs at 224 px: a 28-px image is seen 8× larger', () => {
    const image = realImages().mnist[0]!;
    let seen = 0;
    atReferenceScale(image, (large) => {
      seen = large.width;
      return large;
    });
    expect(seen).toBe(224);
  });
});

describe('digital and weather details', () => {
  it('JPEG loses more at lower quality and stays on the 8-bit grid', () => {
    const image = realImages().fashion[0]!;
    const q90 = jpegCompression(image, 90);
    const q7 = jpegCompression(image, 7);
    expect(psnr(image, q90)).toBeGreaterThan(psnr(image, q7) + 5);
    expect(q7.data.every((v) => Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(true);
  });

  it('brightness adds to grey values and scales RGB by the HSV value change', () => {
    expect(brightness(flat(0.3, 2), 0.2).data[0]).toBeCloseTo(0.5, 6);
    const rgb: FloatImage = { width: 1, height: 1, channels: 3, data: Float32Array.from([0.4, 0.2, 0.1]) };
    // V 0.4 -> 0.6: every channel scales by 1.5, keeping hue and saturation.
    expect([...brightness(rgb, 0.2).data].map((v) => Number(v.toFixed(5)))).toEqual([0.6, 0.3, 0.15]);
  });
});
