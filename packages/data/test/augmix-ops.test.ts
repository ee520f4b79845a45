import { describe, expect, it } from 'vitest';
import {
  AUGMIX_OP_NAMES,
  AUGMIX_OPS,
  autocontrast,
  equalize,
  posterizeBits,
  solarizeAt,
} from '../src/augment/augmix-ops.js';
import type { ByteImage } from '../src/augment/byte-image.js';
import { createRng } from '../src/random.js';

const bytes = (values: number[], width = values.length): ByteImage => ({
  width,
  height: values.length / width,
  channels: 1,
  data: Uint8Array.from(values),
});

describe('AugMix operations (PIL semantics)', () => {
  it('lists the nine operations AugMix and TPT use', () => {
    expect(AUGMIX_OP_NAMES).toEqual([
      'autocontrast',
      'equalize',
      'posterize',
      'rotate',
      'solarize',
      'shear_x',
      'shear_y',
      'translate_x',
      'translate_y',
    ]);
  });

  it('autocontrast stretches [lo, hi] to [0, 255] with truncation', () => {
    // int(100·5.1 − 255) = int(254.99999999999994) = 254 in PIL's float arithmetic too.
    expect([...autocontrast(bytes([50, 75, 100])).data]).toEqual([0, 127, 254]);
    expect([...autocontrast(bytes([0, 64, 128])).data]).toEqual([0, 127, 255]);
    expect([...autocontrast(bytes([9, 9])).data]).toEqual([9, 9]);
  });

  it('equalize follows PIL: step = (n − last bin)/256, lut[i] = (step/2 + cumsum)/step', () => {
    // 512 pixels: 256 of value 0, 128 of 100, 128 of 200 -> step = (512 − 128)/256 = 1
    const values = [...new Array(256).fill(0), ...new Array(128).fill(100), ...new Array(128).fill(200)];
    const out = equalize(bytes(values));
    // lut[0] = 0 (n = 0), lut[100] = 256, clipped to 255, lut[200] = 384 -> 255
    expect(out.data[0]).toBe(0);
    expect(out.data[300]).toBe(255);
    // Few distinct values but a large step: 4 pixels 10, 20, 20, 30 -> step = (4 − 1)/256 = 0 -> identity
    expect([...equalize(bytes([10, 20, 20, 30])).data]).toEqual([10, 20, 20, 30]);
  });

  it('posterize keeps the top bits and solarize inverts at or above the threshold', () => {
    expect([...posterizeBits(bytes([255, 17, 128]), 4).data]).toEqual([240, 16, 128]);
    expect([...solarizeAt(bytes([10, 200, 250]), 200).data]).toEqual([10, 55, 5]);
  });

  it('translates by whole pixels at severity 1 (AugMix: at most int(1·side/3/10) pixels)', () => {
    const side = 60;
    const image: ByteImage = {
      width: side,
      height: side,
      channels: 1,
      data: Uint8Array.from({ length: side * side }, (_, i) => (i * 7) % 251),
    };
    for (let seed = 0; seed < 20; seed++) {
      const out = AUGMIX_OPS.translate_x!(image, 1, createRng(seed));
      // Find the shift that explains the output exactly.
      const shift = [-2, -1, 0, 1, 2].find((s) =>
        out.data.every((v, i) => {
          const x = (i % side) + s;
          return v === (x >= 0 && x < side ? image.data[i + s] : 0);
        }),
      );
      expect(shift).toBeDefined();
    }
  });

  it('each op keeps the shape and is deterministic under a seed', () => {
    const rng = createRng(1);
    const image: ByteImage = {
      width: 32,
      height: 24,
      channels: 3,
      data: Uint8Array.from({ length: 3 * 32 * 24 }, () => rng.int(0, 256)),
    };
    for (const name of AUGMIX_OP_NAMES) {
      const a = AUGMIX_OPS[name]!(image, 1, createRng(5));
      const b = AUGMIX_OPS[name]!(image, 1, createRng(5));
      expect([a.channels, a.height, a.width]).toEqual([3, 24, 32]);
      expect(a.data).toEqual(b.data);
    }
  });
});
