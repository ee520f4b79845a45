import { describe, expect, it } from 'vitest';
import {
  assertImage,
  clipImage,
  imageFromUint8,
  imageToUint8,
  meanSquaredError,
  psnr,
  replicateChannels,
  toGray,
} from '../src/index.js';

describe('float images', () => {
  it('converts uint8 to [0,1] and back with rounding and clipping', () => {
    const image = imageFromUint8(Uint8Array.from([0, 128, 255, 7]), 2, 2);
    expect(image.data[1]).toBeCloseTo(128 / 255, 7);
    expect([...imageToUint8(image)]).toEqual([0, 128, 255, 7]);
    expect([...imageToUint8({ ...image, data: Float32Array.from([-0.2, 0.5, 1.3, Number.NaN]) })]).toEqual([
      0, 128, 255, 0,
    ]);
    expect(() => imageFromUint8(new Uint8Array(3), 2, 2)).toThrow('expected 1x2x2 = 4 uint8 values, got 3');
  });

  it('measures PSNR in dB for [0,1] images', () => {
    const a = imageFromUint8(new Uint8Array(100).fill(100), 10, 10);
    const b = { ...a, data: a.data.map((v) => v + 0.1) };
    expect(meanSquaredError(a, b)).toBeCloseTo(0.01, 6);
    expect(psnr(a, b)).toBeCloseTo(20, 4);
    expect(psnr(a, a)).toBe(Number.POSITIVE_INFINITY);
    expect(() => psnr(a, replicateChannels(a, 3))).toThrow('shapes differ, [1,10,10] vs [3,10,10]');
  });

  it('replicates grey to RGB, takes PIL luma of RGB, clips', () => {
    const grey = imageFromUint8(Uint8Array.from([10, 20]), 2, 1);
    const rgb = replicateChannels(grey, 3);
    expect([...rgb.data]).toEqual([...grey.data, ...grey.data, ...grey.data]);
    expect(toGray(rgb)[1]).toBeCloseTo(20 / 255, 6);
    const red = { width: 1, height: 1, channels: 3, data: Float32Array.from([1, 0, 0]) };
    expect(toGray(red)[0]).toBeCloseTo(0.299, 6);
    expect([...clipImage({ ...grey, data: Float32Array.from([-1, 2]) }).data]).toEqual([0, 1]);
  });

  it('names what is wrong with a malformed image', () => {
    expect(() => assertImage({ width: 0, height: 2, channels: 1, data: new Float32Array(0) })).toThrow(
      'image: expected a positive integer width, got 0',
    );
    expect(() =>
      assertImage({ width: 2, height: 2, channels: 1, data: [1, 2, 3, 4] as unknown as Float32Array }, 'x'),
    ).toThrow('x: expected data to be a Float32Array [C,H,W], got [object Array]');
  });
});
