import { clip01, type FloatImage } from '../image.js';
import { resamplePlane } from './resample.js';

/** ImageNet-C's pixel-length parameters are defined for 224×224 centre crops. */
export const IMAGENET_C_SIDE = 224;

function resampleImage(
  image: FloatImage,
  width: number,
  height: number,
  filter: 'bilinear' | 'box',
): FloatImage {
  const size = image.width * image.height;
  const data = new Float32Array(width * height * image.channels);
  for (let c = 0; c < image.channels; c++) {
    const plane = image.data.subarray(c * size, (c + 1) * size);
    data.set(resamplePlane(plane, image.width, image.height, width, height, { filter }), c * width * height);
  }
  return { width, height, channels: image.channels, data };
}

/**
 * Runs a corruption whose parameters are lengths in ImageNet-C pixels on a small image at ImageNet-C's
 * scale, which is what scaling those lengths by side/224 means when they fall below one pixel: the image
 * is upsampled by the integer factor k = round(224 / short side) (bilinear), corrupted, and area-averaged
 * back; the change the corruption made is added to the original, so a corruption that changes nothing
 * returns the image exactly (no resampling blur). Images with a short side of 224 or more run as they are.
 */
export function atReferenceScale(
  image: FloatImage,
  corruption: (large: FloatImage) => FloatImage,
): FloatImage {
  const factor = Math.max(1, Math.round(IMAGENET_C_SIDE / Math.min(image.width, image.height)));
  if (factor === 1) return corruption(image);
  const large = resampleImage(image, image.width * factor, image.height * factor, 'bilinear');
  const corrupted = corruption(large);
  const before = resampleImage(large, image.width, image.height, 'box');
  const after = resampleImage(corrupted, image.width, image.height, 'box');
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = clip01(image.data[i]! + after.data[i]! - before.data[i]!);
  return { ...image, data };
}
