/**
 * Border rules by their scipy.ndimage names: `reflect` (d c b a | a b c d, skimage's elastic noise),
 * `mirror` (d c b | a b c d, OpenCV's default BORDER_REFLECT_101), `nearest` (a a a | a b c d,
 * skimage.filters.gaussian's default), `constant` (zeros outside).
 */
export type BorderMode = 'reflect' | 'mirror' | 'nearest' | 'constant';

/** Maps an index to the plane under a border rule; -1 means "outside, use zero". */
export function borderIndex(i: number, n: number, mode: BorderMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * n;
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - 1 - k;
      return k;
    }
    case 'mirror': {
      if (n === 1) return 0;
      const period = 2 * n - 2;
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - k;
      return k;
    }
  }
}

/** Normalised 1-D Gaussian taps exp(-x²/2σ²) for x in [-radius, radius]. */
export function gaussianTaps(sigma: number, radius: number): Float64Array {
  const taps = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let x = -radius; x <= radius; x++) {
    const w = sigma > 0 ? Math.exp((-0.5 * x * x) / (sigma * sigma)) : x === 0 ? 1 : 0;
    taps[x + radius] = w;
    total += w;
  }
  for (let i = 0; i < taps.length; i++) taps[i]! /= total;
  return taps;
}

/** Separable correlation of a `[H,W]` plane with the same 1-D taps along both axes. */
export function separableFilter(
  plane: Float32Array | Float64Array,
  width: number,
  height: number,
  taps: Float64Array,
  mode: BorderMode,
): Float32Array {
  const radius = (taps.length - 1) / 2;
  const temp = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) {
        const xi = borderIndex(x + k, width, mode);
        if (xi >= 0) sum += plane[y * width + xi]! * taps[k + radius]!;
      }
      temp[y * width + x] = sum;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) {
        const yi = borderIndex(y + k, height, mode);
        if (yi >= 0) sum += temp[yi * width + x]! * taps[k + radius]!;
      }
      out[y * width + x] = sum;
    }
  }
  return out;
}

/**
 * Gaussian filter with scipy.ndimage's conventions: radius int(truncate·σ + 0.5), normalised taps.
 * skimage.filters.gaussian (used by ImageNet-C) calls this with truncate 4 and mode 'nearest' by default.
 */
export function gaussianFilter(
  plane: Float32Array | Float64Array,
  width: number,
  height: number,
  sigma: number,
  options: { mode?: BorderMode; truncate?: number } = {},
): Float32Array {
  const { mode = 'nearest', truncate = 4 } = options;
  const radius = Math.trunc(truncate * sigma + 0.5);
  return separableFilter(plane, width, height, gaussianTaps(sigma, radius), mode);
}

/** 2-D correlation (OpenCV's filter2D: anchor at the kernel centre), default border `mirror` as OpenCV. */
export function correlate2d(
  plane: Float32Array,
  width: number,
  height: number,
  kernel: Float64Array,
  kernelSize: number,
  mode: BorderMode = 'mirror',
): Float32Array {
  const r = (kernelSize - 1) / 2;
  // Only the non-zero taps matter (a small disk inside a 17×17 support has most taps at zero).
  const dxs: number[] = [];
  const dys: number[] = [];
  const weights: number[] = [];
  for (let ky = 0; ky < kernelSize; ky++) {
    for (let kx = 0; kx < kernelSize; kx++) {
      const w = kernel[ky * kernelSize + kx]!;
      if (w === 0) continue;
      dxs.push(kx - r);
      dys.push(ky - r);
      weights.push(w);
    }
  }
  const taps = weights.length;
  const tapWeights = Float64Array.from(weights);
  const offsets = Int32Array.from(dxs, (dx, k) => dys[k]! * width + dx);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const interiorRow = y >= r && y < height - r;
    for (let x = 0; x < width; x++) {
      let sum = 0;
      if (interiorRow && x >= r && x < width - r) {
        const base = y * width + x;
        for (let k = 0; k < taps; k++) sum += plane[base + offsets[k]!]! * tapWeights[k]!;
      } else {
        for (let k = 0; k < taps; k++) {
          const yi = borderIndex(y + dys[k]!, height, mode);
          const xi = borderIndex(x + dxs[k]!, width, mode);
          if (yi >= 0 && xi >= 0) sum += plane[yi * width + xi]! * weights[k]!;
        }
      }
      out[y * width + x] = sum;
    }
  }
  return out;
}
