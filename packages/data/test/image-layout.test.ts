import { describe, expect, it } from 'vitest';
import { interleavedToPlanar, planarToInterleaved } from '../src/index.js';

describe('planarToInterleaved', () => {
  it('turns [C,H,W] into [H,W,C]', () => {
    // 2 channels of a 1x3 image: R = 1,2,3 and G = 10,20,30.
    const out = planarToInterleaved({
      width: 3,
      height: 1,
      channels: 2,
      data: new Float32Array([1, 2, 3, 10, 20, 30]),
    });
    expect(Array.from(out)).toEqual([1, 10, 2, 20, 3, 30]);
  });
});

describe('interleavedToPlanar', () => {
  it('turns uint8 RGBA [H,W,4] into planar RGB floats, dropping alpha', () => {
    const image = interleavedToPlanar({
      width: 2,
      height: 1,
      channels: 4,
      data: new Uint8Array([255, 0, 51, 9, 0, 255, 102, 9]),
    });
    expect(image.channels).toBe(3);
    const expected = [1, 0, 0, 1, 0.2, 0.4];
    for (const [i, v] of Array.from(image.data).entries()) expect(v).toBeCloseTo(expected[i]!, 6);
  });
  it('names a length that does not fit the shape', () => {
    expect(() =>
      interleavedToPlanar({ width: 2, height: 2, channels: 3, data: new Float32Array(5) }),
    ).toThrow('expected 12 values (2x2x3, HWC), got 5');
  });
});
