import { describe, expect, it } from 'vitest';
import { checkSeed, createRng, logGamma, poisson, seedFor } from '../src/random.js';
import { mean } from './real-images.js';

const variance = (xs: number[]) => {
  const m = mean(xs);
  return mean(xs.map((x) => (x - m) ** 2));
};

describe('poisson (numpy: multiplication below 10, PTRS above)', () => {
  it.each([0.5, 3, 9.9, 10, 25, 60])('has mean = variance = λ for λ = %s', (lambda) => {
    const rng = createRng(7).fork(lambda);
    const counts = Array.from({ length: 20000 }, () => poisson(rng, lambda));
    // Standard error of the mean is √(λ/n) ≈ 0.007·√λ; of the variance about √(2/n)·λ ≈ 0.01·λ.
    expect(Math.abs(mean(counts) - lambda)).toBeLessThan(0.03 * Math.sqrt(lambda) + 0.01);
    expect(Math.abs(variance(counts) - lambda)).toBeLessThan(0.05 * lambda + 0.02);
    expect(counts.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
  });

  it('matches the Poisson probabilities P(0) and P(λ) for λ = 25', () => {
    const rng = createRng(1);
    const n = 40000;
    const counts = Array.from({ length: n }, () => poisson(rng, 25));
    const pAt25 = Math.exp(25 * Math.log(25) - 25 - logGamma(26));
    expect(Math.abs(counts.filter((k) => k === 25).length / n - pAt25)).toBeLessThan(0.006);
    expect(poisson(rng, 0)).toBe(0);
    expect(() => poisson(rng, -1)).toThrow('poisson: expected a finite lambda >= 0, got -1');
  });
});

describe('logGamma', () => {
  it('matches log((n-1)!) and log Γ(1/2) = log √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 9);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 9);
    expect(logGamma(2)).toBe(0);
  });
});

describe('seedFor', () => {
  it('is a stable uint32 that changes with any part', () => {
    const seed = seedFor(0, 'mnist', 'test', 12, 'fog', 5);
    expect(seed).toBe(seedFor(0, 'mnist', 'test', 12, 'fog', 5));
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
    const variants = [
      seedFor(1, 'mnist', 'test', 12, 'fog', 5),
      seedFor(0, 'fashion-mnist', 'test', 12, 'fog', 5),
      seedFor(0, 'mnist', 'test', 13, 'fog', 5),
      seedFor(0, 'mnist', 'test', 12, 'snow', 5),
      seedFor(0, 'mnist', 'test', 12, 'fog', 4),
    ];
    expect(new Set([seed, ...variants]).size).toBe(6);
  });

  it('rejects seeds that are not unsigned 32-bit integers', () => {
    expect(() => checkSeed(1.5)).toThrow('seed must be an integer in [0, 2^32), got 1.5');
    expect(() => seedFor(2 ** 32, 'x')).toThrow('got 4294967296');
  });
});
