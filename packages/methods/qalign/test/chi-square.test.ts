import { describe, expect, it } from 'vitest';
import { chiSquareHomogeneity, gammaQ } from './support/chi-square.js';

describe('the chi-square helper the statistical test relies on', () => {
  it('matches known chi-square tail probabilities', () => {
    // scipy.stats.chi2.sf(3.841458820694124, 1) = 0.05; chi2.sf(11.070497693516351, 5) = 0.05;
    // chi2.sf(2, 4) = 0.7357588823428847
    expect(gammaQ(0.5, 3.841458820694124 / 2)).toBeCloseTo(0.05, 10);
    expect(gammaQ(2.5, 11.070497693516351 / 2)).toBeCloseTo(0.05, 10);
    expect(gammaQ(2, 1)).toBeCloseTo(0.7357588823428847, 12);
  });

  it('gives p = 1 for identical samples and a tiny p for shifted ones', () => {
    const a = Array.from({ length: 200 }, (_, i) => i % 10);
    expect(chiSquareHomogeneity(a, a).p).toBeCloseTo(1, 12);
    const b = a.map((v) => Math.min(9, v + 2));
    expect(chiSquareHomogeneity(a, b).p).toBeLessThan(1e-6);
  });
});
