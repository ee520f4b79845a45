import { describe, expect, it } from 'vitest';
import { gavishDonohoOmega, gavishDonohoRank } from '../src/index.js';
import { readFixture } from './support/fixtures.js';

interface RankReference {
  shape: [number, number];
  singularValuesTorch: number[];
  gavishDonoho: { rank: number; omega: number; median: number };
}
const fixture = readFixture<{ planted: RankReference; prototypes: RankReference }>('svd.json');

describe('gavishDonohoOmega', () => {
  it('is the cubic approximation of ω(β); ω(1) ≈ 2.86 for square matrices', () => {
    expect(gavishDonohoOmega(1)).toBeCloseTo(2.86, 12);
    expect(gavishDonohoOmega(512 / 1000)).toBeCloseTo(fixture.planted.gavishDonoho.omega, 12);
    expect(gavishDonohoOmega(20 / 128)).toBeCloseTo(fixture.prototypes.gavishDonoho.omega, 12);
  });

  it('rejects β outside (0, 1]', () => {
    expect(() => gavishDonohoOmega(0)).toThrow('beta must be in (0, 1], got 0');
    expect(() => gavishDonohoOmega(1.5)).toThrow('beta must be in (0, 1], got 1.5');
  });
});

describe('gavishDonohoRank', () => {
  it('finds the planted rank 20 of the noisy 1000×512 matrix and the rank Python computes for prototypes', () => {
    for (const ref of [fixture.planted, fixture.prototypes]) {
      const [rows, cols] = ref.shape;
      expect(gavishDonohoRank(ref.singularValuesTorch, rows, cols)).toBe(ref.gavishDonoho.rank);
    }
    expect(fixture.planted.gavishDonoho.rank).toBe(20);
  });

  it('counts values strictly above ω·median (numpy median of an even count)', () => {
    // β = 1: ω = 2.86; median of [10, 3, 1, 1] is 2, threshold 5.72 -> only 10 survives
    expect(gavishDonohoRank([10, 3, 1, 1], 4, 4)).toBe(1);
    // threshold 2.86 · median([9, 6, 2.9, 1, 1]) = 2.86 · 2.9 = 8.294 -> 9 survives
    expect(gavishDonohoRank([9, 6, 2.9, 1, 1], 5, 5)).toBe(1);
    expect(gavishDonohoRank([30, 20, 2, 1, 1], 5, 5)).toBe(2);
  });

  it('returns at least 1 even for pure noise (flat spectrum)', () => {
    expect(gavishDonohoRank([1, 1, 1, 1], 4, 8)).toBe(1);
  });

  it('rejects a truncated spectrum and invalid values', () => {
    expect(() => gavishDonohoRank([3, 2], 3, 5)).toThrow(
      'expected all min(rows, cols) = 3 singular values of a 3×5 matrix, got 2',
    );
    expect(() => gavishDonohoRank([3, Number.NaN], 2, 2)).toThrow(
      'singular values must be finite and >= 0, got NaN at index 1',
    );
    expect(() => gavishDonohoRank([1], 0, 1)).toThrow('rows and cols must be integers >= 1, got 0×1');
  });
});
