import { roundHalfEven } from '../ops/geometry.js';
import type { Rng } from '../random.js';

export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

export interface ResizedCropRange {
  /** Range of the crop's area as a fraction of the image's; torchvision default [0.08, 1]. */
  readonly scale?: readonly [number, number];
  /** Range of the crop's aspect ratio w/h, sampled log-uniformly; torchvision default [3/4, 4/3]. */
  readonly ratio?: readonly [number, number];
}

/**
 * torchvision's `RandomResizedCrop.get_params`: up to 10 attempts at a crop with area ~ U(scale)·area and
 * aspect ratio ~ exp(U(log ratio)), w = round(√(area·ratio)), h = round(√(area/ratio)) (Python rounding),
 * accepted if it fits, placed uniformly; after 10 misses, a centre crop clamped to the ratio range.
 */
export function sampleResizedCropBox(
  height: number,
  width: number,
  rng: Pick<Rng, 'uniform' | 'int'>,
  range: ResizedCropRange = {},
): CropBox {
  const [scaleMin, scaleMax] = range.scale ?? [0.08, 1];
  const [ratioMin, ratioMax] = range.ratio ?? [3 / 4, 4 / 3];
  const area = height * width;
  const logRatioMin = Math.log(ratioMin);
  const logRatioMax = Math.log(ratioMax);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * (scaleMin + (scaleMax - scaleMin) * rng.uniform());
    const aspectRatio = Math.exp(logRatioMin + (logRatioMax - logRatioMin) * rng.uniform());
    const w = roundHalfEven(Math.sqrt(targetArea * aspectRatio));
    const h = roundHalfEven(Math.sqrt(targetArea / aspectRatio));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(0, height - h + 1);
      const left = rng.int(0, width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  // Fallback: the central crop, its aspect ratio clamped into the range.
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < ratioMin) {
    w = width;
    h = roundHalfEven(w / ratioMin);
  } else if (inRatio > ratioMax) {
    h = height;
    w = roundHalfEven(h * ratioMax);
  } else {
    w = width;
    h = height;
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}
