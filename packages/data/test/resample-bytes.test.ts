import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cropBytes, resizeBytes, toByteImage } from '../src/augment/byte-image.js';
import { resampleBytes } from '../src/ops/resample-bytes.js';
import { decodePng } from '../src/readers/image-file.js';

// Made by scripts/make_pil_resize_fixture.py with Pillow: a real photo crop and PIL's resizes of it.
const dir = new URL('../fixtures/pil-resize/', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as {
  pillow: string;
  cases: {
    mode: 'RGB' | 'L';
    box: [number, number, number, number];
    size: [number, number];
    filter: 'bilinear' | 'bicubic' | 'box';
    sha256: string;
    first: number[];
  }[];
};
const rgb = toByteImage(decodePng(readFileSync(new URL('photo.png', dir)), 'photo.png'));
const greyRgb = toByteImage(decodePng(readFileSync(new URL('photo-grey.png', dir)), 'photo-grey.png'));
// The PNG decoder gives three channels; PIL's "L" image is one of them.
const grey = { ...greyRgb, channels: 1, data: greyRgb.data.subarray(0, greyRgb.width * greyRgb.height) };

describe(`resizeBytes: PIL's 8-bit resize, bit for bit (Pillow ${fixture.pillow})`, () => {
  it.each(
    fixture.cases.map((c) => [`${c.mode} ${c.filter} ${c.box.slice(2).join('x')} -> ${c.size.join('x')}`, c]),
  )('%s', (_, c) => {
    const [left, top, width, height] = c.box;
    const crop = cropBytes(c.mode === 'RGB' ? rgb : grey, left, top, width, height);
    const out = resizeBytes(crop, c.size[0], c.size[1], c.filter);
    expect(Array.from(out.data.subarray(0, 32))).toEqual(c.first);
    expect(createHash('sha256').update(out.data).digest('hex')).toBe(c.sha256);
  });

  it('rejects a buffer of the wrong size and a bad output size, naming both', () => {
    expect(() => resampleBytes(new Uint8Array(11), 3, 2, 2, 4, 4, 'bilinear')).toThrow(
      'expected 3x2x2 = 12 bytes, got 11',
    );
    expect(() => resampleBytes(new Uint8Array(12), 3, 2, 2, 0, 4, 'bilinear')).toThrow(
      'positive integer output size, got 0x4',
    );
  });
});
