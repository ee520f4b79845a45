import { describe, expect, it } from 'vitest';
import {
  affineFromPoints,
  clippedZoom,
  pilAffine,
  pilRotate,
  roundHalfEven,
  warpAffine,
} from '../src/ops/geometry.js';
import { createRng } from '../src/random.js';

const randomPlane = (n: number, seed = 1) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform());
};

describe('geometry', () => {
  it('rounds halves to even like Python', () => {
    expect([0.5, 1.5, 2.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -2, 2, 3]);
  });

  it('solves the affine map through three point pairs', () => {
    const source: [number, number][] = [
      [23, 23],
      [23, 5],
      [5, 5],
    ];
    const destination: [number, number][] = [
      [24.5, 22],
      [22, 6.25],
      [4, 5.5],
    ];
    const [a, b, c, d, e, f] = affineFromPoints(source, destination);
    source.forEach(([x, y], i) => {
      expect(a * x + b * y + c).toBeCloseTo(destination[i]![0], 10);
      expect(d * x + e * y + f).toBeCloseTo(destination[i]![1], 10);
    });
    expect(() =>
      affineFromPoints(
        [
          [0, 0],
          [1, 1],
          [2, 2],
        ],
        destination,
      ),
    ).toThrow('collinear');
  });

  it('warps by the inverse map: a unit translation moves content by one pixel', () => {
    const plane = randomPlane(36);
    const moved = warpAffine(plane, 6, 6, [1, 0, 1, 0, 1, 0], 'constant');
    for (let y = 0; y < 6; y++) {
      expect(moved[y * 6]).toBe(0);
      for (let x = 1; x < 6; x++) expect(moved[y * 6 + x]).toBeCloseTo(plane[y * 6 + x - 1]!, 6);
    }
  });

  it("applies PIL's affine convention: integer translations shift exactly, outside is black", () => {
    const plane = randomPlane(25);
    const shifted = pilAffine(plane, 5, 5, [1, 0, 2, 0, 1, 0]);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++)
        expect(shifted[y * 5 + x]).toBeCloseTo(x + 2 < 5 ? plane[y * 5 + x + 2]! : 0, 6);
    }
  });

  it('rotates counter-clockwise by 90° exactly on an even-sized image, and 0° is the identity', () => {
    const plane = randomPlane(16, 3);
    expect(pilRotate(plane, 4, 4, 0)).toEqual(plane);
    const turned = pilRotate(plane, 4, 4, 90);
    // np.rot90 (counter-clockwise): out[y][x] = in[x][W-1-y]
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) expect(turned[y * 4 + x]).toBeCloseTo(plane[x * 4 + 3 - y]!, 6);
  });

  it('clipped zoom with factor 1 is the identity and zooms into the centre otherwise', () => {
    const plane = randomPlane(28 * 28, 4);
    expect(clippedZoom(plane, 28, 28, 1)).toEqual(plane);
    const point = new Float32Array(28 * 28);
    point[14 * 28 + 14] = 1;
    const zoomed = clippedZoom(point, 28, 28, 2);
    // The centre pixel spreads over a 2× larger footprint but stays at the centre.
    let cx = 0;
    let cy = 0;
    let total = 0;
    zoomed.forEach((v, i) => {
      cx += v * (i % 28);
      cy += v * Math.floor(i / 28);
      total += v;
    });
    expect(total).toBeGreaterThan(1.5);
    expect(Math.abs(cx / total - 14)).toBeLessThan(1);
    expect(Math.abs(cy / total - 14)).toBeLessThan(1);
  });
});
