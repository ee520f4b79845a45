import { describe, expect, it } from 'vitest';
import { borderIndex, correlate2d, gaussianFilter, gaussianTaps } from '../src/ops/filters.js';

describe('border rules (scipy.ndimage names)', () => {
  it('extends a 4-long axis as scipy does', () => {
    const extend = (mode: Parameters<typeof borderIndex>[2]) =>
      [-3, -2, -1, 0, 3, 4, 5, 6].map((i) => borderIndex(i, 4, mode));
    expect(extend('reflect')).toEqual([2, 1, 0, 0, 3, 3, 2, 1]); // d c b a | a b c d | d c b a
    expect(extend('mirror')).toEqual([3, 2, 1, 0, 3, 2, 1, 0]); // d c b | a b c d | c b a
    expect(extend('nearest')).toEqual([0, 0, 0, 0, 3, 3, 3, 3]);
    expect(extend('constant')).toEqual([-1, -1, -1, 0, 3, -1, -1, -1]);
  });
});

describe('gaussianFilter', () => {
  it('uses radius int(truncate·σ + 0.5) and normalised taps', () => {
    const taps = gaussianTaps(1, 4);
    expect(taps).toHaveLength(9);
    expect(taps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(taps[4]! / taps[5]!).toBeCloseTo(Math.exp(0.5), 10);
  });

  it('has the separable Gaussian as impulse response and keeps constants constant', () => {
    const size = 15;
    const impulse = new Float32Array(size * size);
    impulse[7 * size + 7] = 1;
    const response = gaussianFilter(impulse, size, size, 1.2, { truncate: 3 });
    const taps = gaussianTaps(1.2, Math.trunc(3 * 1.2 + 0.5));
    const r = (taps.length - 1) / 2;
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        expect(response[(7 + dy) * size + 7 + dx]).toBeCloseTo(taps[dy + r]! * taps[dx + r]!, 7);
      }
    }
    const flat = new Float32Array(size * size).fill(0.3);
    for (const mode of ['reflect', 'mirror', 'nearest'] as const) {
      expect(gaussianFilter(flat, size, size, 2, { mode }).every((v) => Math.abs(v - 0.3) < 1e-6)).toBe(true);
    }
  });
});

describe('correlate2d', () => {
  it('correlates (no kernel flip) with OpenCV-style mirror borders', () => {
    const plane = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Picks the right-hand neighbour: correlation, not convolution.
    const right = Float64Array.from([0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect([...correlate2d(plane, 3, 3, right, 3)]).toEqual([2, 3, 2, 5, 6, 5, 8, 9, 8]);
  });
});
