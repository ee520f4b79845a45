import type { Rng } from '../random.js';
import { gaussianFilter } from './filters.js';
import { plasmaFractal } from './plasma-fractal.js';
import { resamplePlane } from './resample.js';

/** Drawn at this multiple of the target size, then area-averaged down, so thin crystals antialias. */
const SUPERSAMPLE = 4;

/**
 * A procedural frost texture in [0,1], standing in for ImageNet-C's six frost photographs (which are not
 * redistributable here): a smooth haze (plasma fractal) under dendritic ice crystals — branches that split
 * at ±60° as ice's hexagonal lattice does, thinning and shortening at each level. Seeded and deterministic.
 */
export function frostTexture(rng: Rng, width: number, height: number): Float32Array {
  const w = width * SUPERSAMPLE;
  const h = height * SUPERSAMPLE;
  const canvas = new Float32Array(w * h);
  const scale = Math.max(w, h);

  // Crystals: about one seed per 60 target pixels, with 3-6 arms each.
  const seeds = Math.max(4, Math.round((width * height) / 60));
  for (let s = 0; s < seeds; s++) {
    const x = rng.uniform() * w;
    const y = rng.uniform() * h;
    const arms = rng.int(3, 7);
    const rotation = rng.uniform() * 2 * Math.PI;
    const length = scale * rng.uniform(0.08, 0.22);
    const brightness = rng.uniform(0.55, 1);
    for (let a = 0; a < arms; a++) {
      const angle = rotation + (a * 2 * Math.PI) / arms + rng.uniform(-0.2, 0.2);
      drawBranch(canvas, w, h, rng, x, y, angle, length, brightness, 3);
    }
  }
  const crystals = gaussianFilter(canvas, w, h, 0.6 * SUPERSAMPLE * 0.5);

  // Haze: a smooth fractal, like condensation on glass.
  const mapSize = 2 ** Math.ceil(Math.log2(Math.max(w, h, 2)));
  const plasma = plasmaFractal(rng, mapSize, 2);
  const combined = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const haze = 0.2 + 0.3 * plasma[y * mapSize + x]!;
      combined[y * w + x] = Math.min(1, haze + 0.9 * crystals[y * w + x]!);
    }
  }
  return resamplePlane(combined, w, h, width, height, { filter: 'box' });
}

function drawBranch(
  canvas: Float32Array,
  width: number,
  height: number,
  rng: Rng,
  x0: number,
  y0: number,
  angle: number,
  length: number,
  brightness: number,
  depth: number,
): void {
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const steps = Math.ceil(length * 2);
  for (let i = 0; i <= steps; i++) {
    const t = (i / steps) * length;
    // Crystals fade towards their tips.
    splat(canvas, width, height, x0 + t * dx, y0 + t * dy, brightness * (1 - (0.5 * t) / length));
  }
  if (depth === 0 || length < 3) return;
  const sideBranches = rng.int(2, 5);
  for (let b = 0; b < sideBranches; b++) {
    const t = length * rng.uniform(0.2, 0.9);
    const side = rng.uniform() < 0.5 ? -1 : 1;
    drawBranch(
      canvas,
      width,
      height,
      rng,
      x0 + t * dx,
      y0 + t * dy,
      angle + (side * Math.PI) / 3,
      (length - t) * rng.uniform(0.4, 0.8),
      brightness * 0.85,
      depth - 1,
    );
  }
}

/** Bilinear splat keeping the brighter value, so overlapping crystals do not add up to white blobs. */
function splat(
  canvas: Float32Array,
  width: number,
  height: number,
  x: number,
  y: number,
  value: number,
): void {
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  const fx = x - xi;
  const fy = y - yi;
  const put = (px: number, py: number, weight: number) => {
    if (px < 0 || py < 0 || px >= width || py >= height) return;
    const index = py * width + px;
    canvas[index] = Math.max(canvas[index]!, value * weight);
  };
  put(xi, yi, (1 - fx) * (1 - fy));
  put(xi + 1, yi, fx * (1 - fy));
  put(xi, yi + 1, (1 - fx) * fy);
  put(xi + 1, yi + 1, fx * fy);
}
