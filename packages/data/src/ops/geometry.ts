import { type BorderMode, borderIndex } from './filters.js';

/** Python's round(): halves go to the even neighbour (used where the reference code calls round()). */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Bilinear sample of a `[H,W]` plane at (x, y) in pixel-centre coordinates, with a border rule. */
export function sampleBilinear(
  plane: Float32Array,
  width: number,
  height: number,
  x: number,
  y: number,
  mode: BorderMode,
): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const left = borderIndex(x0, width, mode);
  const right = borderIndex(x0 + 1, width, mode);
  const top = borderIndex(y0, height, mode);
  const bottom = borderIndex(y0 + 1, height, mode);
  const topRow = top * width;
  const bottomRow = bottom * width;
  const v00 = left < 0 || top < 0 ? 0 : plane[topRow + left]!;
  const v10 = right < 0 || top < 0 ? 0 : plane[topRow + right]!;
  const v01 = left < 0 || bottom < 0 ? 0 : plane[bottomRow + left]!;
  const v11 = right < 0 || bottom < 0 ? 0 : plane[bottomRow + right]!;
  return (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy;
}

/**
 * scipy.ndimage.zoom(order=1) of one axis pair: output size round(n·zoom) (Python rounding), output
 * coordinate o reads input o·(n−1)/(out−1) with linear interpolation.
 */
export function zoomLinear(
  plane: Float32Array,
  width: number,
  height: number,
  zoom: number,
): { data: Float32Array; width: number; height: number } {
  const outWidth = roundHalfEven(width * zoom);
  const outHeight = roundHalfEven(height * zoom);
  const sx = outWidth > 1 ? (width - 1) / (outWidth - 1) : 0;
  const sy = outHeight > 1 ? (height - 1) / (outHeight - 1) : 0;
  const data = new Float32Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      data[y * outWidth + x] = sampleBilinear(plane, width, height, x * sx, y * sy, 'nearest');
    }
  }
  return { data, width: outWidth, height: outHeight };
}

/**
 * ImageNet-C's `clipped_zoom`: crop the central 1/zoom of the image, zoom it back up with
 * scipy.ndimage.zoom(order=1), and trim to the original size.
 */
export function clippedZoom(plane: Float32Array, width: number, height: number, zoom: number): Float32Array {
  const cropHeight = Math.ceil(height / zoom);
  const cropWidth = Math.ceil(width / zoom);
  const top = Math.floor((height - cropHeight) / 2);
  const left = Math.floor((width - cropWidth) / 2);
  const crop = new Float32Array(cropWidth * cropHeight);
  for (let y = 0; y < cropHeight; y++) {
    for (let x = 0; x < cropWidth; x++) crop[y * cropWidth + x] = plane[(top + y) * width + left + x]!;
  }
  const zoomed = zoomLinear(crop, cropWidth, cropHeight, zoom);
  const trimTop = Math.floor((zoomed.height - height) / 2);
  const trimLeft = Math.floor((zoomed.width - width) / 2);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      out[y * width + x] = zoomed.data[(trimTop + y) * zoomed.width + trimLeft + x]!;
  }
  return out;
}

/** An affine map (a, b, c, d, e, f): x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/**
 * PIL's `Image.transform(size, AFFINE, matrix, BILINEAR)`: output pixel (x, y) reads the input at
 * matrix·(x+0.5, y+0.5); points outside the input give 0 (PIL's fill), inside are bilinear with the
 * neighbours clamped (Geometry.c, `bilinear_filter`).
 */
export function pilAffine(
  plane: Float32Array,
  width: number,
  height: number,
  matrix: AffineMatrix,
): Float32Array {
  const [a, b, c, d, e, f] = matrix;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const xin = a * (x + 0.5) + b * (y + 0.5) + c;
      const yin = d * (x + 0.5) + e * (y + 0.5) + f;
      if (xin < 0 || xin >= width || yin < 0 || yin >= height) continue;
      out[y * width + x] = sampleBilinear(plane, width, height, xin - 0.5, yin - 0.5, 'nearest');
    }
  }
  return out;
}

/** PIL's `Image.rotate(degrees, BILINEAR)`: counter-clockwise about the centre, same size, black fill. */
export function pilRotate(plane: Float32Array, width: number, height: number, degrees: number): Float32Array {
  const angle = -((((degrees % 360) + 360) % 360) * Math.PI) / 180;
  const round15 = (v: number) => Math.round(v * 1e15) / 1e15;
  const a = round15(Math.cos(angle));
  const b = round15(Math.sin(angle));
  const d = round15(-Math.sin(angle));
  const e = round15(Math.cos(angle));
  const cx = width / 2;
  const cy = height / 2;
  const c = a * -cx + b * -cy + cx;
  const f = d * -cx + e * -cy + cy;
  return pilAffine(plane, width, height, [a, b, c, d, e, f]);
}

/** OpenCV's getAffineTransform: the 2×3 map sending three source points onto three destination points. */
export function affineFromPoints(
  source: readonly (readonly [number, number])[],
  destination: readonly (readonly [number, number])[],
): AffineMatrix {
  const [p0, p1, p2] = source as [
    readonly [number, number],
    readonly [number, number],
    readonly [number, number],
  ];
  const [q0, q1, q2] = destination as [
    readonly [number, number],
    readonly [number, number],
    readonly [number, number],
  ];
  // Solve [x y 1]·[a d; b e; c f] = [x' y'] for the three point pairs (Cramer's rule).
  const det = p0[0] * (p1[1] - p2[1]) - p0[1] * (p1[0] - p2[0]) + (p1[0] * p2[1] - p2[0] * p1[1]);
  if (Math.abs(det) < 1e-12) throw new Error('affineFromPoints: the source points are collinear');
  const solve = (v0: number, v1: number, v2: number): [number, number, number] => [
    (v0 * (p1[1] - p2[1]) - p0[1] * (v1 - v2) + (v1 * p2[1] - v2 * p1[1])) / det,
    (p0[0] * (v1 - v2) - v0 * (p1[0] - p2[0]) + (p1[0] * v2 - p2[0] * v1)) / det,
    (p0[0] * (p1[1] * v2 - p2[1] * v1) -
      p0[1] * (p1[0] * v2 - p2[0] * v1) +
      v0 * (p1[0] * p2[1] - p2[0] * p1[1])) /
      det,
  ];
  const [a, b, c] = solve(q0[0], q1[0], q2[0]);
  const [d, e, f] = solve(q0[1], q1[1], q2[1]);
  return [a, b, c, d, e, f];
}

/**
 * OpenCV's warpAffine(INTER_LINEAR) with a forward map M: dst(x, y) = src(M⁻¹·(x, y)), integer pixel
 * centres, the given border rule.
 */
export function warpAffine(
  plane: Float32Array,
  width: number,
  height: number,
  matrix: AffineMatrix,
  mode: BorderMode,
): Float32Array {
  const [a, b, c, d, e, f] = matrix;
  const det = a * e - b * d;
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x - c;
      const v = y - f;
      out[y * width + x] = sampleBilinear(plane, width, height, ia * u + ib * v, id * u + ie * v, mode);
    }
  }
  return out;
}
