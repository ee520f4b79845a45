import type { Rng } from '../random.js';

/**
 * ImageNet-C's `plasma_fractal` (diamond–square, after FLHerne/mapgen): a `mapSize`² height map in
 * [0,1]; `wibbleDecay` sets how fast the random displacement shrinks per level (smaller = rougher).
 * Wrap-around neighbours (np.roll) as in the reference, so the map tiles.
 */
export function plasmaFractal(rng: Rng, mapSize: number, wibbleDecay: number): Float64Array {
  if (!Number.isInteger(mapSize) || mapSize < 2 || (mapSize & (mapSize - 1)) !== 0) {
    throw new Error(`plasmaFractal: mapSize must be a power of two >= 2, got ${mapSize}`);
  }
  const n = mapSize;
  const map = new Float64Array(n * n);
  const at = (y: number, x: number) => (((y % n) + n) % n) * n + (((x % n) + n) % n);
  let step = n;
  let wibble = 100;
  // array / 4 + wibble · U(−wibble, wibble), exactly as the reference (the displacement scales with wibble²).
  const wibbledMean = (sum: number) => sum / 4 + wibble * rng.uniform(-wibble, wibble);
  while (step >= 2) {
    const half = step / 2;
    // Squares: the centre of each step-sized square is the mean of its four corners.
    for (let y = 0; y < n; y += step) {
      for (let x = 0; x < n; x += step) {
        const sum =
          map[at(y, x)]! + map[at(y + step, x)]! + map[at(y, x + step)]! + map[at(y + step, x + step)]!;
        map[at(y + half, x + half)] = wibbledMean(sum);
      }
    }
    // Diamonds: edge midpoints from the two adjacent corners and the two adjacent square centres.
    for (let y = 0; y < n; y += step) {
      for (let x = 0; x < n; x += step) {
        const top =
          map[at(y, x)]! +
          map[at(y, x + step)]! +
          map[at(y + half, x + half)]! +
          map[at(y - half, x + half)]!;
        map[at(y, x + half)] = wibbledMean(top);
      }
    }
    for (let y = 0; y < n; y += step) {
      for (let x = 0; x < n; x += step) {
        const left =
          map[at(y, x)]! +
          map[at(y + step, x)]! +
          map[at(y + half, x + half)]! +
          map[at(y + half, x - half)]!;
        map[at(y + half, x)] = wibbledMean(left);
      }
    }
    step = half;
    wibble /= wibbleDecay;
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of map) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min || 1;
  for (let i = 0; i < map.length; i++) map[i] = (map[i]! - min) / range;
  return map;
}
