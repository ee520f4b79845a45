import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { zoomLinear } from '../src/ops/geometry.js';
import { type ResampleFilter, resamplePlane } from '../src/ops/resample.js';

interface Case {
  filter: ResampleFilter;
  width: number;
  height: number;
  outWidth: number;
  outHeight: number;
  input: number[];
  expected: number[];
}

// Computed by scripts/make-fixtures.py with torch's interpolate(antialias=True), which uses PIL's rule.
const fixture = JSON.parse(readFileSync(new URL('../fixtures/resample.json', import.meta.url), 'utf8')) as {
  resample: Case[];
  boxFilter: Case;
  zoom: {
    width: number;
    height: number;
    zoom: number;
    input: number[];
    expected: number[];
    outWidth: number;
  };
};

const run = (c: Case) =>
  resamplePlane(Float32Array.from(c.input), c.width, c.height, c.outWidth, c.outHeight, { filter: c.filter });

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};

describe('resamplePlane (PIL coefficients)', () => {
  it.each(
    fixture.resample.map((c) => [`${c.filter} ${c.height}x${c.width} -> ${c.outHeight}x${c.outWidth}`, c]),
  )('matches torch antialiased interpolate: %s', (_, c) => {
    expect(maxAbsDiff(run(c as Case), (c as Case).expected)).toBeLessThan(1e-5);
  });

  it('box-filters an integer-factor reduction to area averages', () => {
    expect(maxAbsDiff(run(fixture.boxFilter), fixture.boxFilter.expected)).toBeLessThan(1e-6);
  });

  it('rejects bad sizes', () => {
    const plane = new Float32Array(12);
    expect(() => resamplePlane(plane, 4, 4, 2, 2, { filter: 'box' })).toThrow(
      'expected 4x4 = 16 values, got 12',
    );
    expect(() => resamplePlane(plane, 4, 3, 0, 2, { filter: 'box' })).toThrow(
      'positive integer output size, got 0x2',
    );
  });
});

describe('zoomLinear (scipy.ndimage.zoom, order 1)', () => {
  it('matches align-corners bilinear at size round(n·zoom)', () => {
    const z = fixture.zoom;
    const out = zoomLinear(Float32Array.from(z.input), z.width, z.height, z.zoom);
    expect(out.width).toBe(z.outWidth);
    expect(maxAbsDiff(out.data, z.expected)).toBeLessThan(1e-6);
  });
});
