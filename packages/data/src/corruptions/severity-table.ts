/**
 * Severity parameters (index 0 = severity 1) for 28×28 images. Sources, per corruption:
 * - `imagenet-c`: hendrycks/robustness ImageNet-C/create_c/make_imagenet_c.py, unchanged — as MNIST-C
 *   (google-research/mnist-c corruptions.py) keeps every parameter that is not a length in pixels.
 * - `imagenet-c @224`: ImageNet-C's values are lengths in 224-px pixels; the corruption runs at ImageNet-C's
 *   scale (see ops/reference-scale.ts), which scales those lengths by 28/224 without rounding them away.
 * - `fraction`: lengths given as fractions of the image side (MNIST-C's way of moving them to 28 px).
 * - `changed`: a documented deviation, each explained where it is listed and in the README.
 */

/** numpy.arange(start, stop, step) with numpy's length rule ceil((stop − start)/step). */
function arange(start: number, stop: number, step: number): number[] {
  const length = Math.ceil((stop - start) / step);
  return Array.from({ length }, (_, i) => start + i * step);
}

export const SEVERITY_TABLE = {
  /** Standard deviation of additive Gaussian noise. Source: imagenet-c. */
  gaussian_noise: [0.08, 0.12, 0.18, 0.26, 0.38],
  /** Photon count per unit intensity: x ← Poisson(x·c)/c. Source: imagenet-c. */
  shot_noise: [60, 25, 12, 5, 3],
  /** Fraction of values set to 0 or 1 (salt & pepper, half each). Source: imagenet-c. */
  impulse_noise: [0.03, 0.06, 0.09, 0.17, 0.27],
  /** [disk radius, antialias Gaussian σ] in 224-px pixels. Source: imagenet-c @224. */
  defocus_blur: [
    [3, 0.1],
    [4, 0.5],
    [6, 0.5],
    [8, 0.5],
    [10, 0.5],
  ],
  /** [Gaussian σ, max displacement, shuffle passes], lengths in 224-px pixels. Source: imagenet-c @224. */
  glass_blur: [
    [0.7, 1, 2],
    [0.9, 2, 1],
    [1, 2, 3],
    [1.1, 3, 2],
    [1.5, 4, 2],
  ],
  /**
   * [radius, σ] of ImageMagick's one-sided motion kernel in 224-px pixels; angle ~ U(−45°, 45°).
   * Source: imagenet-c @224.
   */
  motion_blur: [
    [10, 3],
    [15, 5],
    [15, 8],
    [15, 12],
    [20, 15],
  ],
  /** Zoom factors averaged with the image (dimensionless). Source: imagenet-c. */
  zoom_blur: [
    arange(1, 1.11, 0.01),
    arange(1, 1.16, 0.01),
    arange(1, 1.21, 0.02),
    arange(1, 1.26, 0.02),
    arange(1, 1.31, 0.03),
  ],
  /**
   * [flake mean, flake std, flake zoom, threshold, motion radius, motion σ, image weight], lengths in
   * 224-px pixels; streak angle ~ U(−135°, −45°). Source: imagenet-c @224.
   */
  snow: [
    [0.1, 0.3, 3, 0.5, 10, 4, 0.8],
    [0.2, 0.3, 2, 0.5, 12, 4, 0.7],
    [0.55, 0.3, 4, 0.9, 12, 8, 0.7],
    [0.55, 0.3, 4.5, 0.85, 12, 8, 0.65],
    [0.55, 0.3, 2.5, 0.85, 12, 12, 0.55],
  ],
  /**
   * [image weight, frost weight]. Source: imagenet-c, except severity 4's frost weight (changed: 0.7 -> 0.72;
   * ImageNet-C repeats 0.7 from severity 3 and lowers only the image weight, which on dark 28-px images
   * lowers the error instead of raising it). The texture is procedural (ops/frost-texture.ts).
   */
  frost: [
    [1, 0.4],
    [0.8, 0.6],
    [0.7, 0.7],
    [0.65, 0.72],
    [0.6, 0.75],
  ],
  /**
   * [fog amplitude, plasma wibble decay]. Source: imagenet-c, except severity 4's amplitude (changed:
   * 2.5 -> 2.75; ImageNet-C repeats 2.5 from severity 3, leaving only the roughness to differ).
   */
  fog: [
    [1.5, 2],
    [2, 2],
    [2.5, 1.7],
    [2.75, 1.5],
    [3, 1.4],
  ],
  /** Added to HSV value (for grey images: to the intensity). Source: imagenet-c. */
  brightness: [0.1, 0.2, 0.3, 0.4, 0.5],
  /** Factor on the deviation from the per-channel mean. Source: imagenet-c. */
  contrast: [0.4, 0.3, 0.2, 0.1, 0.05],
  /**
   * [displacement amplitude α, displacement smoothness σ, random-affine corner jitter], as fractions of the
   * image side. Source: changed. ImageNet-C's table is not ordered by strength (severities 1–2 are large
   * smooth warps with big random affines, 3–5 are σ = 0.01·side jitter, under a third of a pixel at 28 px);
   * here ImageNet-C's severity-2 smoothness (0.08) and severity-3..5 affine jitter (0.02) are kept and the
   * amplitude grows, giving mean displacements of about 0.25, 0.5, 0.75, 1 and 1.5 px at 28 px.
   */
  elastic_transform: [
    [0.125, 0.08, 0.02],
    [0.25, 0.08, 0.02],
    [0.375, 0.08, 0.02],
    [0.5, 0.08, 0.02],
    [0.75, 0.08, 0.02],
  ],
  /**
   * Side of the downsampled image as a fraction of the original, rounded (box filter down, then up).
   * Source: imagenet-c, except rounding instead of truncating (0.6·28 = 16.8 -> 17 px: 16 px makes
   * 1.75-px boxes that alias worse than 14 px) and severity 5 (changed: 0.25 -> 0.2, 6 px; 28/7 gives
   * whole 4-px blocks, which lose less than severity 4's 8-px grid).
   */
  pixelate: [0.6, 0.5, 0.4, 0.3, 0.2],
  /** JPEG quality. Source: imagenet-c. */
  jpeg_compression: [25, 18, 15, 10, 7],
} as const;
