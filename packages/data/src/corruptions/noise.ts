import { clip01, type FloatImage } from '../image.js';
import { poisson, type Rng } from '../random.js';

/** x + N(0, σ²), clipped (ImageNet-C `gaussian_noise`). */
export function gaussianNoise(image: FloatImage, std: number, rng: Rng): FloatImage {
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = clip01(image.data[i]! + rng.normal(0, std));
  return { ...image, data };
}

/** Poisson(x·c)/c, clipped: photon noise with c photons at full intensity (ImageNet-C `shot_noise`). */
export function shotNoise(image: FloatImage, photons: number, rng: Rng): FloatImage {
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = clip01(poisson(rng, image.data[i]! * photons) / photons);
  return { ...image, data };
}

/**
 * Salt and pepper: each value is replaced with probability `amount`, by 1 or 0 with equal odds
 * (skimage.util.random_noise(mode='s&p'), which ImageNet-C's `impulse_noise` calls).
 */
export function impulseNoise(image: FloatImage, amount: number, rng: Rng): FloatImage {
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const flipped = rng.uniform() < amount;
    const salted = rng.uniform() < 0.5;
    data[i] = flipped ? (salted ? 1 : 0) : image.data[i]!;
  }
  return { ...image, data };
}
