import { borderIndex } from './filters.js';

/**
 * Sobel gradient magnitude of a `[H,W]` plane (3×3 kernels, reflect border as scipy.ndimage.sobel):
 * sqrt(gx² + gy²), where gx, gy are the horizontal and vertical derivatives.
 */
export function sobelMagnitude(plane: Float32Array, width: number, height: number): Float32Array {
  const at = (x: number, y: number) =>
    plane[borderIndex(y, height, 'reflect') * width + borderIndex(x, width, 'reflect')]!;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx =
        at(x + 1, y - 1) +
        2 * at(x + 1, y) +
        at(x + 1, y + 1) -
        at(x - 1, y - 1) -
        2 * at(x - 1, y) -
        at(x - 1, y + 1);
      const gy =
        at(x - 1, y + 1) +
        2 * at(x, y + 1) +
        at(x + 1, y + 1) -
        at(x - 1, y - 1) -
        2 * at(x, y - 1) -
        at(x + 1, y - 1);
      out[y * width + x] = Math.sqrt(gx * gx + gy * gy);
    }
  }
  return out;
}
