import jpeg from 'jpeg-js';
import { clampByte, clip01, type FloatImage, mapChannels } from '../image.js';
import { gaussianFilter } from '../ops/filters.js';
import { affineFromPoints, sampleBilinear, warpAffine } from '../ops/geometry.js';
import { resamplePlane } from '../ops/resample.js';
import type { Rng } from '../random.js';

/** (x − mean)·factor + mean per channel (ImageNet-C `contrast`). */
export function contrast(image: FloatImage, factor: number): FloatImage {
  return mapChannels(image, (plane) => {
    let mean = 0;
    for (const v of plane) mean += v;
    mean /= plane.length;
    return plane.map((v) => clip01((v - mean) * factor + mean));
  });
}

/** Box-filter down to round(side·fraction) and back up (PIL `resize(BOX)` twice, ImageNet-C `pixelate`). */
export function pixelate(image: FloatImage, fraction: number): FloatImage {
  const { width, height } = image;
  const smallWidth = Math.max(1, Math.round(width * fraction));
  const smallHeight = Math.max(1, Math.round(height * fraction));
  return mapChannels(image, (plane) => {
    const small = resamplePlane(plane, width, height, smallWidth, smallHeight, { filter: 'box' });
    return resamplePlane(small, smallWidth, smallHeight, width, height, { filter: 'box' }).map(clip01);
  });
}

/**
 * A JPEG round trip at `quality` through jpeg-js (a port of the IJG-style baseline encoder). Grey images
 * are encoded as R = G = B, so only the luminance carries signal, and decoded back as the channel mean.
 */
export function jpegCompression(image: FloatImage, quality: number): FloatImage {
  const { width, height, channels } = image;
  if (channels !== 1 && channels !== 3) {
    throw new Error(`jpeg_compression: expected a 1- or 3-channel image, got ${channels} channels`);
  }
  const size = width * height;
  const rgba = new Uint8Array(size * 4);
  for (let i = 0; i < size; i++) {
    for (let c = 0; c < 3; c++) {
      rgba[i * 4 + c] = clampByte(image.data[(channels === 1 ? 0 : c) * size + i]! * 255);
    }
    rgba[i * 4 + 3] = 255;
  }
  const encoded = jpeg.encode({ width, height, data: rgba }, quality);
  const decoded = jpeg.decode(encoded.data, { useTArray: true, formatAsRGBA: false });
  const data = new Float32Array(size * channels);
  for (let i = 0; i < size; i++) {
    if (channels === 1) {
      const p = decoded.data;
      data[i] = Math.round((p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]!) / 3) / 255;
    } else {
      for (let c = 0; c < 3; c++) data[c * size + i] = decoded.data[i * 3 + c]! / 255;
    }
  }
  return { ...image, data };
}

/**
 * ImageNet-C's `elastic_transform` as MNIST-C runs it: a random affine (the three points of a centred
 * square jittered by ±affineJitter), then a per-pixel displacement field of uniform noise smoothed by a
 * Gaussian (σ = smoothness, reflect border, truncate 3) and scaled by `amplitude`, sampled bilinearly.
 * Outside the image is black (MNIST-C's constant border; ImageNet-C reflects).
 */
export function elasticTransform(
  image: FloatImage,
  amplitude: number,
  smoothness: number,
  affineJitter: number,
  rng: Rng,
): FloatImage {
  const { width, height } = image;
  const cx = Math.floor(width / 2);
  const cy = Math.floor(height / 2);
  const square = Math.floor(Math.min(width, height) / 3);
  const source: [number, number][] = [
    [cx + square, cy + square],
    [cx + square, cy - square],
    [cx - square, cy - square],
  ];
  const destination = source.map(([x, y]) => [
    x + rng.uniform(-affineJitter, affineJitter),
    y + rng.uniform(-affineJitter, affineJitter),
  ]) as [number, number][];
  const matrix = affineFromPoints(source, destination);
  const noise = () => {
    const field = new Float64Array(width * height);
    for (let i = 0; i < field.length; i++) field[i] = rng.uniform(-1, 1);
    return gaussianFilter(field, width, height, smoothness, { mode: 'reflect', truncate: 3 });
  };
  const dx = noise();
  const dy = noise();
  return mapChannels(image, (plane) => {
    const warped = warpAffine(plane, width, height, matrix, 'constant');
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        out[i] = clip01(
          sampleBilinear(warped, width, height, x + amplitude * dx[i]!, y + amplitude * dy[i]!, 'constant'),
        );
      }
    }
    return out;
  });
}
