/**
 * Separable resampling with PIL's kernels and PIL's coefficient rule (Resample.c, `precompute_coeffs`):
 * sample centres at (x + 0.5)·scale, filter support stretched by the scale factor when shrinking (so
 * downscaling antialiases), weights normalised per output pixel. Torchvision resizes PIL images through
 * this code; torch's `interpolate(..., antialias=True)`
 * computes the same coefficients, which the tests use as the reference.
 */
export type ResampleFilter = 'box' | 'bilinear' | 'bicubic';

const FILTERS: Record<ResampleFilter, { support: number; weight: (x: number) => number }> = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: {
    support: 1,
    weight: (x) => {
      const ax = Math.abs(x);
      return ax < 1 ? 1 - ax : 0;
    },
  },
  bicubic: {
    support: 2,
    weight: (x) => {
      // Keys' cubic with a = -0.5, PIL's choice.
      const a = -0.5;
      const ax = Math.abs(x);
      if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
      if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
      return 0;
    },
  },
};

export interface Coefficients {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float64Array;
  readonly stride: number;
}

/** PIL's `precompute_coeffs`: per output pixel the first input index, the tap count and normalised weights. */
export function precomputeCoefficients(
  inSize: number,
  outSize: number,
  filter: ResampleFilter,
): Coefficients {
  const { support: baseSupport, weight } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = baseSupport * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    // PIL rounds with a truncating cast: (int)(v + 0.5).
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = weight((x + xmin - center + 0.5) * ss);
      weights[xx * stride + x] = w;
      total += w;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) weights[xx * stride + x]! /= total;
    start[xx] = xmin;
    count[xx] = Math.max(xmax, 0);
  }
  return { start, count, weights, stride };
}

export interface ResampleOptions {
  readonly filter: ResampleFilter;
}

/** Resamples one `[H,W]` plane to `[outHeight,outWidth]`: horizontal pass first, then vertical (as PIL). */
export function resamplePlane(
  plane: Float32Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  options: ResampleOptions,
): Float32Array {
  if (plane.length !== width * height) {
    throw new Error(
      `resamplePlane: expected ${height}x${width} = ${width * height} values, got ${plane.length}`,
    );
  }
  if (!(outWidth >= 1 && outHeight >= 1 && Number.isInteger(outWidth) && Number.isInteger(outHeight))) {
    throw new Error(`resamplePlane: expected a positive integer output size, got ${outWidth}x${outHeight}`);
  }
  const horizontal = precomputeCoefficients(width, outWidth, options.filter);
  const vertical = precomputeCoefficients(height, outHeight, options.filter);
  // Only the rows the vertical pass reads go through the horizontal pass.
  const firstRow = vertical.start[0]!;
  const lastRow = vertical.start[outHeight - 1]! + vertical.count[outHeight - 1]!;
  const rows = lastRow - firstRow;
  const temp = new Float32Array(rows * outWidth);
  for (let y = 0; y < rows; y++) {
    const rowOffset = (y + firstRow) * width;
    for (let x = 0; x < outWidth; x++) {
      const s = horizontal.start[x]!;
      const n = horizontal.count[x]!;
      const k = x * horizontal.stride;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += plane[rowOffset + s + i]! * horizontal.weights[k + i]!;
      temp[y * outWidth + x] = sum;
    }
  }
  const out = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    const s = vertical.start[y]! - firstRow;
    const n = vertical.count[y]!;
    const k = y * vertical.stride;
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += temp[(s + i) * outWidth + x]! * vertical.weights[k + i]!;
      out[y * outWidth + x] = sum;
    }
  }
  return out;
}
