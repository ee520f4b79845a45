/**
 * PIL's resampling of 8-bit images, bit for bit (Pillow libImaging/Resample.c: `normalize_coeffs_8bpc`,
 * `ImagingResampleHorizontal_8bpc`, `ImagingResampleVertical_8bpc`). The weights are PIL's
 * (`precomputeCoefficients`), turned into 22-bit fixed point; each pass sums integer products from a
 * rounding offset and clips to 0..255, horizontal pass first. TPT's views are PIL resizes of 8-bit crops, so
 * this reproduces them exactly — and, working on bytes in integer arithmetic, it is several times faster than
 * resampling float planes and rounding after each pass.
 */
import { precomputeCoefficients, type ResampleFilter } from './resample.js';

// Resample.c: PRECISION_BITS = 32 - 8 - 2, so a sum of 8-bit values times the weights fits an int32.
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface FixedCoefficients {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
  readonly stride: number;
}

function fixedCoefficients(inSize: number, outSize: number, filter: ResampleFilter): FixedCoefficients {
  const { start, count, weights, stride } = precomputeCoefficients(inSize, outSize, filter);
  const fixed = new Int32Array(weights.length);
  // normalize_coeffs_8bpc: round half away from zero through a truncating cast.
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    fixed[i] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
  }
  return { start, count, weights: fixed, stride };
}

/** clip8: the sum's integer part (an arithmetic shift: floor), clamped to 0..255. */
function clip8(sum: number): number {
  const v = Math.floor(sum / ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Resizes a planar 8-bit image `[channels, height, width]` to `[channels, outHeight, outWidth]` as PIL's
 * `Image.resize` does for "L"/"RGB" images.
 */
export function resampleBytes(
  data: Uint8Array,
  channels: number,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  filter: ResampleFilter,
): Uint8Array {
  if (data.length !== channels * width * height) {
    throw new Error(
      `resampleBytes: expected ${channels}x${height}x${width} = ${channels * width * height} bytes, got ${data.length}`,
    );
  }
  if (!(outWidth >= 1 && outHeight >= 1 && Number.isInteger(outWidth) && Number.isInteger(outHeight))) {
    throw new Error(`resampleBytes: expected a positive integer output size, got ${outWidth}x${outHeight}`);
  }
  const horizontal = fixedCoefficients(width, outWidth, filter);
  const vertical = fixedCoefficients(height, outHeight, filter);
  // Only the rows the vertical pass reads go through the horizontal pass (PIL's ybox).
  const firstRow = vertical.start[0]!;
  const rows = vertical.start[outHeight - 1]! + vertical.count[outHeight - 1]! - firstRow;
  const temp = new Uint8Array(rows * outWidth);
  const out = new Uint8Array(channels * outWidth * outHeight);
  for (let c = 0; c < channels; c++) {
    const plane = c * width * height;
    for (let y = 0; y < rows; y++) {
      const row = plane + (y + firstRow) * width;
      for (let x = 0; x < outWidth; x++) {
        const s = row + horizontal.start[x]!;
        const n = horizontal.count[x]!;
        const k = x * horizontal.stride;
        let sum = HALF;
        for (let i = 0; i < n; i++) sum += data[s + i]! * horizontal.weights[k + i]!;
        temp[y * outWidth + x] = clip8(sum);
      }
    }
    const outPlane = c * outWidth * outHeight;
    for (let y = 0; y < outHeight; y++) {
      const s = vertical.start[y]! - firstRow;
      const n = vertical.count[y]!;
      const k = y * vertical.stride;
      for (let x = 0; x < outWidth; x++) {
        let sum = HALF;
        for (let i = 0; i < n; i++) sum += temp[(s + i) * outWidth + x]! * vertical.weights[k + i]!;
        out[outPlane + y * outWidth + x] = clip8(sum);
      }
    }
  }
  return out;
}
