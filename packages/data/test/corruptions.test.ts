import { describe, expect, it } from 'vitest';
import {
  CORRUPTION_FAMILIES,
  CORRUPTION_NAMES,
  corrupt,
  corruptionFamily,
  DETERMINISTIC_CORRUPTIONS,
  type FloatImage,
  psnr,
} from '../src/index.js';
import { mean, realImages } from './real-images.js';

const images = realImages();

describe('the corruption suite', () => {
  it('has the 15 ImageNet-C corruptions in 4 families', () => {
    expect(CORRUPTION_NAMES).toHaveLength(15);
    expect(
      Object.fromEntries(Object.entries(CORRUPTION_FAMILIES).map(([f, names]) => [f, names.length])),
    ).toEqual({
      noise: 3,
      blur: 4,
      weather: 4,
      digital: 4,
    });
    expect(corruptionFamily('frost')).toBe('weather');
    expect(corruptionFamily('jpeg_compression')).toBe('digital');
  });

  describe.each(CORRUPTION_NAMES)('%s', (name) => {
    for (const [dataset, set] of Object.entries(images)) {
      it(`lowers the mean PSNR strictly with each severity on 8 ${dataset} images`, () => {
        const bySeverity = [1, 2, 3, 4, 5].map((severity) =>
          mean(set.map((image, i) => psnr(image, corrupt(image, name, severity, { seed: i })))),
        );
        for (let s = 1; s < 5; s++) expect(bySeverity[s]).toBeLessThan(bySeverity[s - 1]!);
        // Every severity changes the image, and severity 5 is a clear corruption (< 30 dB).
        expect(Number.isFinite(bySeverity[0])).toBe(true);
        expect(bySeverity[4]).toBeLessThan(30);
      });
    }

    it('returns a new float image of the same shape with values in [0,1]', () => {
      const clean = images.fashion[1]!;
      const out = corrupt(clean, name, 3, { seed: 7 });
      expect([out.channels, out.height, out.width]).toEqual([1, 28, 28]);
      expect(out.data).toBeInstanceOf(Float32Array);
      expect(out.data).not.toBe(clean.data);
      expect(out.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    });

    it('is deterministic under a seed', () => {
      const clean = images.mnist[2]!;
      expect(corrupt(clean, name, 4, { seed: 11 }).data).toEqual(corrupt(clean, name, 4, { seed: 11 }).data);
    });

    if (DETERMINISTIC_CORRUPTIONS.has(name)) {
      it('does not depend on the seed', () => {
        const clean = images.mnist[3]!;
        expect(corrupt(clean, name, 4, { seed: 1 }).data).toEqual(corrupt(clean, name, 4, { seed: 2 }).data);
      });
    } else {
      it('gives different images for different seeds', () => {
        const clean = images.fashion[3]!;
        const a = corrupt(clean, name, 4, { seed: 1 }).data;
        const b = corrupt(clean, name, 4, { seed: 2 }).data;
        expect(a.some((v, i) => v !== b[i])).toBe(true);
      });
    }

    it('corrupts an RGB image channel-consistently: a grey RGB image stays grey', () => {
      const grey = images.fashion[4]!;
      const rgb: FloatImage = { width: 28, height: 28, channels: 3, data: new Float32Array(3 * 784) };
      for (let c = 0; c < 3; c++) rgb.data.set(grey.data, c * 784);
      const out = corrupt(rgb, name, 2, { seed: 5 });
      expect(out.channels).toBe(3);
      const r = out.data.subarray(0, 784);
      const g = out.data.subarray(784, 1568);
      // Noise draws independently per channel (as ImageNet-C on RGB arrays); everything else keeps R = G.
      if (CORRUPTION_FAMILIES.noise.includes(name as never)) expect(r).not.toEqual(g);
      else for (let i = 0; i < 784; i++) expect(g[i]).toBeCloseTo(r[i]!, 2);
    });
  });

  it('rejects an unknown corruption, listing the known ones', () => {
    expect(() => corrupt(images.mnist[0]!, 'fog_blur', 1)).toThrow(
      'unknown corruption "fog_blur", expected one of gaussian_noise, shot_noise, impulse_noise, defocus_blur',
    );
  });

  it.each([0, 6, 2.5, -1])('rejects severity %s', (severity) => {
    expect(() => corrupt(images.mnist[0]!, 'fog', severity)).toThrow(
      `severity must be an integer in 1..5, got ${severity}`,
    );
  });

  it('rejects a malformed image and a bad seed', () => {
    const bad = { width: 28, height: 28, channels: 1, data: new Float32Array(10) };
    expect(() => corrupt(bad, 'fog', 1)).toThrow('fog: expected 1x28x28 = 784 values, got 10');
    expect(() => corrupt(images.mnist[0]!, 'fog', 1, { seed: -3 })).toThrow(
      'seed must be an integer in [0, 2^32), got -3',
    );
  });
});
