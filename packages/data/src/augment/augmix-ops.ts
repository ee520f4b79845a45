import { type AffineMatrix, pilAffine, pilRotate } from '../ops/geometry.js';
import type { Rng } from '../random.js';
import type { ByteImage } from './byte-image.js';

/**
 * AugMix's operations (google-research/augmix augmentations.py, the list TPT imports), on 8-bit images with
 * PIL's semantics. Each takes the severity `level` (TPT: 1) and draws its own magnitude and sign.
 */
export type AugMixOp = (image: ByteImage, level: number, rng: Rng) => ByteImage;

/** sample_level(n) = U(0.1, n). */
const sampleLevel = (level: number, rng: Rng) => rng.uniform(0.1, level);
/** int_parameter(level, maxval) = int(level·maxval/10). */
const intParameter = (level: number, maxValue: number) => Math.trunc((level * maxValue) / 10);
/** float_parameter(level, maxval) = level·maxval/10. */
const floatParameter = (level: number, maxValue: number) => (level * maxValue) / 10;

function mapBands(image: ByteImage, fn: (band: Uint8Array) => Uint8Array): ByteImage {
  const size = image.width * image.height;
  const data = new Uint8Array(image.data.length);
  for (let c = 0; c < image.channels; c++)
    data.set(fn(image.data.subarray(c * size, (c + 1) * size)), c * size);
  return { ...image, data };
}

function applyLut(band: Uint8Array, lut: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(band.length);
  for (let i = 0; i < band.length; i++) out[i] = lut[band[i]!]!;
  return out;
}

function histogram(band: Uint8Array): Uint32Array {
  const h = new Uint32Array(256);
  for (const v of band) h[v]!++;
  return h;
}

/** PIL ImageOps.autocontrast(cutoff=0): stretch each band's [min, max] to [0, 255]. */
export function autocontrast(image: ByteImage): ByteImage {
  return mapBands(image, (band) => {
    const h = histogram(band);
    let lo = 0;
    while (lo < 256 && h[lo] === 0) lo++;
    let hi = 255;
    while (hi >= 0 && h[hi] === 0) hi--;
    if (hi <= lo) return band.slice();
    const scale = 255 / (hi - lo);
    const offset = -lo * scale;
    const lut = new Uint8Array(256);
    for (let i = 0; i < 256; i++) lut[i] = Math.min(255, Math.max(0, Math.trunc(i * scale + offset)));
    return applyLut(band, lut);
  });
}

/** PIL ImageOps.equalize: each band's cumulative histogram as the lookup table, PIL's integer steps. */
export function equalize(image: ByteImage): ByteImage {
  return mapBands(image, (band) => {
    const h = histogram(band);
    const used = [...h].filter((count) => count > 0);
    if (used.length <= 1) return band.slice();
    const step = Math.floor((used.reduce((a, b) => a + b, 0) - used[used.length - 1]!) / 256);
    if (step === 0) return band.slice();
    const lut = new Uint8Array(256);
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) {
      lut[i] = Math.min(255, Math.floor(n / step));
      n += h[i]!;
    }
    return applyLut(band, lut);
  });
}

/** PIL ImageOps.posterize(bits): keep the top `bits` bits. */
export function posterizeBits(image: ByteImage, bits: number): ByteImage {
  const mask = ~(2 ** (8 - bits) - 1) & 0xff;
  return mapBands(image, (band) => band.map((v) => v & mask));
}

/** PIL ImageOps.solarize(threshold): invert values at or above the threshold. */
export function solarizeAt(image: ByteImage, threshold: number): ByteImage {
  return mapBands(image, (band) => band.map((v) => (v >= threshold ? 255 - v : v)));
}

/** PIL's bilinear geometric transforms truncate to 8 bits ((UINT8)v in Geometry.c). */
function transformBands(image: ByteImage, fn: (plane: Float32Array) => Float32Array): ByteImage {
  const size = image.width * image.height;
  return mapBands(image, (band) => {
    const plane = Float32Array.from(band);
    const out = fn(plane);
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = Math.min(255, Math.max(0, Math.trunc(out[i]!)));
    return bytes;
  });
}

function affine(image: ByteImage, matrix: AffineMatrix): ByteImage {
  return transformBands(image, (plane) => pilAffine(plane, image.width, image.height, matrix));
}

const randomSign = (rng: Rng) => (rng.uniform() > 0.5 ? -1 : 1);

export const AUGMIX_OPS: Readonly<Record<string, AugMixOp>> = {
  autocontrast: (image) => autocontrast(image),
  equalize: (image) => equalize(image),
  posterize: (image, level, rng) => posterizeBits(image, 4 - intParameter(sampleLevel(level, rng), 4)),
  rotate: (image, level, rng) => {
    const degrees = intParameter(sampleLevel(level, rng), 30) * randomSign(rng);
    return transformBands(image, (plane) => pilRotate(plane, image.width, image.height, degrees));
  },
  solarize: (image, level, rng) => solarizeAt(image, 256 - intParameter(sampleLevel(level, rng), 256)),
  shear_x: (image, level, rng) => {
    const shear = floatParameter(sampleLevel(level, rng), 0.3) * randomSign(rng);
    return affine(image, [1, shear, 0, 0, 1, 0]);
  },
  shear_y: (image, level, rng) => {
    const shear = floatParameter(sampleLevel(level, rng), 0.3) * randomSign(rng);
    return affine(image, [1, 0, 0, shear, 1, 0]);
  },
  translate_x: (image, level, rng) => {
    const shift = intParameter(sampleLevel(level, rng), image.width / 3) * randomSign(rng);
    return affine(image, [1, 0, shift, 0, 1, 0]);
  },
  translate_y: (image, level, rng) => {
    const shift = intParameter(sampleLevel(level, rng), image.height / 3) * randomSign(rng);
    return affine(image, [1, 0, 0, 0, 1, shift]);
  },
};

/** AugMix's `augmentations` list, in its order (the one TPT uses; `augmentations_all` adds colour ops). */
export const AUGMIX_OP_NAMES = [
  'autocontrast',
  'equalize',
  'posterize',
  'rotate',
  'solarize',
  'shear_x',
  'shear_y',
  'translate_x',
  'translate_y',
] as const;
