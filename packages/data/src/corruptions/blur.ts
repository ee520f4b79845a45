import { clip01, type FloatImage, mapChannels } from '../image.js';
import { correlate2d, gaussianFilter, gaussianTaps } from '../ops/filters.js';
import { clippedZoom } from '../ops/geometry.js';
import { motionBlurPlane } from '../ops/motion-blur.js';
import type { Rng } from '../random.js';

/**
 * ImageNet-C's `disk`: a 17×17 (radius ≤ 8) indicator of x² + y² ≤ r², normalised, then smoothed by a
 * 3×3 Gaussian of σ = aliasBlur (cv2.GaussianBlur, border reflect-101) to antialias it.
 */
export function defocusKernel(radius: number, aliasBlur: number): { kernel: Float64Array; size: number } {
  const half = radius <= 8 ? 8 : Math.ceil(radius);
  const blurSize = radius <= 8 ? 3 : 5;
  const size = 2 * half + 1;
  const disk = new Float64Array(size * size);
  let total = 0;
  for (let y = -half; y <= half; y++) {
    for (let x = -half; x <= half; x++) {
      if (x * x + y * y <= radius * radius) {
        disk[(y + half) * size + x + half] = 1;
        total += 1;
      }
    }
  }
  for (let i = 0; i < disk.length; i++) disk[i]! /= total;
  const taps = gaussianTaps(aliasBlur, (blurSize - 1) / 2);
  const smoothed = new Float64Array(size * size);
  const r = (blurSize - 1) / 2;
  const reflect101 = (i: number) => (i < 0 ? -i : i >= size ? 2 * size - 2 - i : i);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let ky = -r; ky <= r; ky++) {
        for (let kx = -r; kx <= r; kx++) {
          sum += disk[reflect101(y + ky) * size + reflect101(x + kx)]! * taps[ky + r]! * taps[kx + r]!;
        }
      }
      smoothed[y * size + x] = sum;
    }
  }
  return { kernel: smoothed, size };
}

/** Convolution with an antialiased disk, per channel (ImageNet-C `defocus_blur`). */
export function defocusBlur(image: FloatImage, radius: number, aliasBlur: number): FloatImage {
  const { kernel, size } = defocusKernel(radius, aliasBlur);
  return mapChannels(image, (plane) =>
    correlate2d(plane, image.width, image.height, kernel, size, 'mirror').map(clip01),
  );
}

/**
 * ImageNet-C's `glass_blur`: Gaussian blur, quantise to 8 bits, then `passes` sweeps (bottom-right to
 * top-left) that swap each pixel with a random neighbour up to `maxDelta` away, then blur again.
 */
export function glassBlur(
  image: FloatImage,
  sigma: number,
  maxDelta: number,
  passes: number,
  rng: Rng,
): FloatImage {
  const { width, height, channels } = image;
  const size = width * height;
  const blurred = mapChannels(image, (plane) => gaussianFilter(plane, width, height, sigma));
  const data = blurred.data;
  // np.uint8(x * 255) truncates.
  for (let i = 0; i < data.length; i++) data[i] = Math.trunc(Math.min(Math.max(data[i]!, 0), 1) * 255) / 255;
  for (let pass = 0; pass < passes; pass++) {
    for (let h = height - maxDelta; h > maxDelta; h--) {
      for (let w = width - maxDelta; w > maxDelta; w--) {
        const dx = rng.int(-maxDelta, maxDelta);
        const dy = rng.int(-maxDelta, maxDelta);
        const a = h * width + w;
        const b = (h + dy) * width + (w + dx);
        for (let c = 0; c < channels; c++) {
          const tmp = data[c * size + a]!;
          data[c * size + a] = data[c * size + b]!;
          data[c * size + b] = tmp;
        }
      }
    }
  }
  return mapChannels(blurred, (plane) => gaussianFilter(plane, width, height, sigma).map(clip01));
}

/** ImageMagick's motion blur at a random angle in [−45°, 45°) (ImageNet-C `motion_blur`). */
export function motionBlur(image: FloatImage, radius: number, sigma: number, rng: Rng): FloatImage {
  const angle = rng.uniform(-45, 45);
  return mapChannels(image, (plane) =>
    motionBlurPlane(plane, image.width, image.height, radius, sigma, angle).map(clip01),
  );
}

/** The mean of the image and its centre zooms by each factor (ImageNet-C `zoom_blur`). */
export function zoomBlur(image: FloatImage, factors: readonly number[]): FloatImage {
  return mapChannels(image, (plane) => {
    const sum = Float32Array.from(plane);
    for (const factor of factors) {
      const zoomed = clippedZoom(plane, image.width, image.height, factor);
      for (let i = 0; i < sum.length; i++) sum[i]! += zoomed[i]!;
    }
    return sum.map((v) => clip01(v / (factors.length + 1)));
  });
}
