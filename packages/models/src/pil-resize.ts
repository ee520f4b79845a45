/**
 * Image resampling exactly as Pillow's `Image.resize` computes it (libImaging/Resample.c), which is what
 * CLIP's torchvision `Resize(..., BICUBIC)` runs on a PIL image: a separable convolution whose kernel is
 * stretched by the scale when downsampling (antialiasing), horizontal pass first, then vertical.
 *
 * 8-bit images use Pillow's fixed-point arithmetic (22-bit coefficients, rounding and clipping to 0..255
 * after each pass), so the result is bit-identical to Pillow's. Float images (Pillow mode "F") accumulate in
 * double precision and store float32, as Pillow does.
 */

export type ResampleFilter = 'bicubic' | 'bilinear';

interface Filter {
  readonly support: number;
  readonly weight: (x: number) => number;
}

// Pillow's bicubic uses a = -0.5 (Keys' cubic convolution), not -0.75 as OpenCV or torch's bicubic do.
const BICUBIC_A = -0.5;

const FILTERS: Readonly<Record<ResampleFilter, Filter>> = {
  bicubic: {
    support: 2,
    weight: (x) => {
      const t = Math.abs(x);
      if (t < 1) return ((BICUBIC_A + 2) * t - (BICUBIC_A + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * BICUBIC_A;
      return 0;
    },
  },
  bilinear: {
    support: 1,
    weight: (x) => {
      const t = Math.abs(x);
      return t < 1 ? 1 - t : 0;
    },
  },
};

const PRECISION_BITS = 32 - 8 - 2;

/** Per output position: first input index, number of taps, and `ksize` normalised weights. */
interface Coefficients {
  readonly ksize: number;
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float64Array;
}

/** Pillow's precompute_coeffs for the whole input range [0, inSize). */
function precomputeCoefficients(inSize: number, outSize: number, filter: Filter): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  const inverse = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * inverse);
      weights[xx * ksize + x] = w;
      total += w;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) weights[xx * ksize + x]! /= total;
    first[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, first, count, weights };
}

/** Pillow's normalize_coeffs_8bpc: weights as 22-bit fixed point, rounded half away from zero. */
function fixedPoint(weights: Float64Array): Int32Array {
  const out = new Int32Array(weights.length);
  const one = 1 << PRECISION_BITS;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    out[i] = w < 0 ? Math.trunc(-0.5 + w * one) : Math.trunc(0.5 + w * one);
  }
  return out;
}

function clip8(sum: number): number {
  // sum fits in int32 for 8-bit data; >> floors, as the C code's arithmetic shift does.
  const v = sum >> PRECISION_BITS;
  return Math.max(0, Math.min(v, 255));
}

export interface PixelBuffer<T extends Uint8Array | Float32Array> {
  readonly data: T;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * Resizes interleaved (HWC) pixels to `width` x `height`. uint8 in -> uint8 out (Pillow's 8-bit path),
 * float32 in -> float32 out (Pillow's mode "F" path). Same size: a copy.
 */
export function pilResize<T extends Uint8Array | Float32Array>(
  image: PixelBuffer<T>,
  width: number,
  height: number,
  filter: ResampleFilter = 'bicubic',
): PixelBuffer<T> {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new Error(`pilResize: expected a positive integer output size, got ${width}x${height}`);
  }
  const f = FILTERS[filter];
  if (!f)
    throw new Error(`pilResize: unknown filter '${filter}'; expected ${Object.keys(FILTERS).join(' or ')}`);
  const bytes = image.data instanceof Uint8Array;
  const horizontal = precomputeCoefficients(image.width, width, f);
  const vertical = precomputeCoefficients(image.height, height, f);
  let current: PixelBuffer<Uint8Array | Float32Array> = image;
  if (width !== image.width) {
    // Pillow only computes the input rows the vertical pass will read; the values are the same either way.
    current = resampleAxis(current, horizontal, width, 'x', bytes);
  }
  if (height !== image.height) {
    current = resampleAxis(current, vertical, height, 'y', bytes);
  }
  if (current === image) {
    return { ...image, data: image.data.slice() as T };
  }
  return current as PixelBuffer<T>;
}

function resampleAxis(
  input: PixelBuffer<Uint8Array | Float32Array>,
  coefficients: Coefficients,
  outSize: number,
  axis: 'x' | 'y',
  bytes: boolean,
): PixelBuffer<Uint8Array | Float32Array> {
  const { width, height, channels, data } = input;
  const outWidth = axis === 'x' ? outSize : width;
  const outHeight = axis === 'y' ? outSize : height;
  const out = bytes
    ? new Uint8Array(outWidth * outHeight * channels)
    : new Float32Array(outWidth * outHeight * channels);
  const { ksize, first, count, weights } = coefficients;
  const fixed = bytes ? fixedPoint(weights) : undefined;
  // Distance between neighbouring taps along the resampled axis, in array elements.
  const tapStride = axis === 'x' ? channels : width * channels;
  const half = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const o = axis === 'x' ? x : y;
      const start = first[o]!;
      const taps = count[o]!;
      const base = axis === 'x' ? (y * width + start) * channels : (start * width + x) * channels;
      const outBase = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) {
        if (fixed) {
          let sum = half;
          for (let t = 0; t < taps; t++) sum += data[base + t * tapStride + c]! * fixed[o * ksize + t]!;
          out[outBase + c] = clip8(sum);
        } else {
          let sum = 0;
          for (let t = 0; t < taps; t++) sum += data[base + t * tapStride + c]! * weights[o * ksize + t]!;
          out[outBase + c] = sum;
        }
      }
    }
  }
  return { data: out, width: outWidth, height: outHeight, channels };
}
