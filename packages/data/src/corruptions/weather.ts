import { clip01, type FloatImage, mapChannels, toGray } from '../image.js';
import { frostTexture } from '../ops/frost-texture.js';
import { clippedZoom } from '../ops/geometry.js';
import { motionBlurPlane } from '../ops/motion-blur.js';
import { plasmaFractal } from '../ops/plasma-fractal.js';
import type { Rng } from '../random.js';

export interface SnowParameters {
  readonly mean: number;
  readonly std: number;
  readonly zoom: number;
  readonly threshold: number;
  readonly motionRadius: number;
  readonly motionSigma: number;
  readonly imageWeight: number;
}

/**
 * ImageNet-C's `snow`: a Gaussian noise layer, zoomed (flake size), thresholded, quantised to 8 bits and
 * motion-blurred into streaks; the image is whitened towards max(x, 1.5·grey + 0.5), then the layer and
 * its 180° rotation are added.
 */
export function snow(image: FloatImage, p: SnowParameters, rng: Rng): FloatImage {
  const { width, height } = image;
  const size = width * height;
  let layer: Float32Array = new Float32Array(size);
  for (let i = 0; i < size; i++) layer[i] = rng.normal(p.mean, p.std);
  layer = clippedZoom(layer, width, height, p.zoom);
  for (let i = 0; i < size; i++) {
    const v = layer[i]! < p.threshold ? 0 : layer[i]!;
    layer[i] = Math.round(clip01(v) * 255) / 255;
  }
  const angle = rng.uniform(-135, -45);
  const streaks = motionBlurPlane(layer, width, height, p.motionRadius, p.motionSigma, angle);
  const gray = toGray(image);
  return mapChannels(image, (plane) => {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const whitened = Math.max(plane[i]!, gray[i]! * 1.5 + 0.5);
      const x = p.imageWeight * plane[i]! + (1 - p.imageWeight) * whitened;
      out[i] = clip01(x + streaks[i]! + streaks[size - 1 - i]!);
    }
    return out;
  });
}

/** ImageNet-C's `frost`: imageWeight·x + frostWeight·texture, clipped, over a procedural frost texture. */
export function frost(image: FloatImage, imageWeight: number, frostWeight: number, rng: Rng): FloatImage {
  const texture = frostTexture(rng, image.width, image.height);
  return mapChannels(image, (plane) =>
    plane.map((v, i) => clip01(imageWeight * v + frostWeight * texture[i]!)),
  );
}

/**
 * ImageNet-C's `fog`: add amplitude × a plasma fractal, then rescale by max/(max + amplitude). The fractal
 * is generated at the next power of two above the image side and cropped (ImageNet-C crops a 256² map to
 * 224, so the fog keeps the same structure relative to the image).
 */
export function fog(image: FloatImage, amplitude: number, wibbleDecay: number, rng: Rng): FloatImage {
  const { width, height } = image;
  const mapSize = 2 ** Math.ceil(Math.log2(Math.max(width, height, 2)));
  const plasma = plasmaFractal(rng, mapSize, wibbleDecay);
  let max = 0;
  for (const v of image.data) if (v > max) max = v;
  const scale = max / (max + amplitude);
  return mapChannels(image, (plane) => {
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        out[i] = clip01((plane[i]! + amplitude * plasma[y * mapSize + x]!) * scale);
      }
    }
    return out;
  });
}

/**
 * ImageNet-C's `brightness`: add `amount` to the HSV value channel. Hue and saturation are kept, so an RGB
 * pixel is rescaled by V'/V; a grey image simply gains `amount` (MNIST-C's grey→RGB→HSV→grey round trip).
 */
export function brightness(image: FloatImage, amount: number): FloatImage {
  const { width, height, channels } = image;
  if (channels !== 3) return { ...image, data: image.data.map((v) => clip01(v + amount)) };
  const size = width * height;
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < size; i++) {
    const r = image.data[i]!;
    const g = image.data[size + i]!;
    const b = image.data[2 * size + i]!;
    const value = Math.max(r, g, b);
    const newValue = clip01(value + amount);
    if (value <= 0) {
      data[i] = data[size + i] = data[2 * size + i] = newValue;
    } else {
      const k = newValue / value;
      data[i] = clip01(r * k);
      data[size + i] = clip01(g * k);
      data[2 * size + i] = clip01(b * k);
    }
  }
  return { ...image, data };
}
