// Seeded random numbers on pure-rand's xoroshiro128+. The same seed gives the same stream in every process
// and on every platform (integer arithmetic only until the final float conversion).
//
// Independent streams: `rng.fork(label)` derives a child whose state is a hash of (seed, path of labels),
// so a child never depends on how many numbers its parent has drawn. Adding a draw to one part of a method
// therefore leaves the streams of all other parts unchanged.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

// MurmurHash3 (x86, 32-bit) over 32-bit words; four seeds give the 128 bits of xoroshiro's state.
function murmur3Words(words: readonly number[], seed: number): number {
  let h = seed | 0;
  for (const word of words) {
    let k = Math.imul(word | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= words.length * 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function generatorState(seed: number, path: readonly string[]): number[] {
  const seed64 = BigInt.asUintN(64, BigInt(seed));
  const words = [Number(seed64 & 0xffffffffn), Number(seed64 >> 32n)];
  for (const label of path) {
    words.push(label.length);
    for (let i = 0; i < label.length; i++) words.push(label.charCodeAt(i));
  }
  const state: number[] = [0x9e3779b9, 0x7f4a7c15, 0x85ebca6b, 0xc2b2ae35].map((salt) =>
    murmur3Words(words, salt),
  );
  // xoroshiro's all-zero state is a fixed point.
  if (!state.some((w) => w !== 0)) state[0] = 1;
  return state;
}

function checkPositive(value: number, what: string): void {
  if (!(value > 0 && Number.isFinite(value)))
    throw new Error(`${what} must be a finite number > 0, got ${value}`);
}

export class Rng {
  private readonly generator: RandomGenerator;
  private spareNormal: number | undefined;

  /** Prefer createRng(seed); `path` is the chain of fork labels from the root stream. */
  constructor(
    readonly seed: number,
    readonly path: readonly string[] = [],
  ) {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`);
    this.generator = xoroshiro128plusFromState(generatorState(seed, path));
  }

  /** An independent stream named `label`, the same for the same (seed, path, label) whatever was drawn before. */
  fork(label: string | number): Rng {
    return new Rng(this.seed, [...this.path, String(label)]);
  }

  /** Uniform in [lo, hi) with 53 random bits. */
  uniform(lo = 0, hi = 1): number {
    if (!(hi >= lo)) throw new Error(`uniform: expected lo <= hi, got [${lo}, ${hi})`);
    return lo + (hi - lo) * uniformFloat64(this.generator);
  }

  /** Uniform integer in [lo, hi) (hi exclusive, as Python's randrange and numpy's integers). */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi <= lo) {
      throw new Error(`int: expected integers lo < hi, got [${lo}, ${hi})`);
    }
    return uniformInt(this.generator, lo, hi - 1);
  }

  /** Normal(mean, std²) by the Box–Muller transform; the second value of each pair is kept for the next call. */
  normal(mean = 0, std = 1): number {
    if (!(std >= 0)) throw new Error(`normal: std must be >= 0, got ${std}`);
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    const u1 = 1 - uniformFloat64(this.generator); // (0, 1]: log(u1) is finite
    const u2 = uniformFloat64(this.generator);
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /**
   * Gamma(shape, scale) by Marsaglia & Tsang (2000), "A simple method for generating gamma variables";
   * shape < 1 uses their boost Gamma(shape + 1) · U^(1/shape).
   */
  gamma(shape: number, scale = 1): number {
    checkPositive(shape, 'gamma: shape');
    checkPositive(scale, 'gamma: scale');
    if (shape < 1) {
      const u = 1 - uniformFloat64(this.generator);
      return this.gamma(shape + 1, scale) * u ** (1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const t = 1 + c * x;
      if (t <= 0) continue;
      const v = t * t * t;
      const u = 1 - uniformFloat64(this.generator);
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v)))
        return d * v * scale;
    }
  }

  /** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number {
    checkPositive(a, 'beta: a');
    checkPositive(b, 'beta: b');
    const x = this.gamma(a);
    const y = this.gamma(b);
    // Both can underflow to 0 for tiny shapes; the limit law then puts mass a/(a+b) at 1.
    if (x + y === 0) return this.uniform() < a / (a + b) ? 1 : 0;
    return x / (x + y);
  }

  /** Dirichlet(alpha): independent Gamma(alpha_i) draws, normalised to sum 1. */
  dirichlet(alpha: readonly number[]): number[] {
    if (alpha.length === 0) throw new Error('dirichlet: expected at least one concentration, got []');
    alpha.forEach((a, i) => {
      checkPositive(a, `dirichlet: alpha[${i}]`);
    });
    const draws = alpha.map((a) => this.gamma(a));
    const total = draws.reduce((s, x) => s + x, 0);
    if (total === 0) {
      // All draws underflowed (tiny concentrations): fall back to the limit law, a one-hot vertex.
      const vertex = this.categorical(alpha);
      return alpha.map((_, i) => (i === vertex ? 1 : 0));
    }
    return draws.map((x) => x / total);
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  categorical(weights: readonly number[]): number {
    const total = weights.reduce((s, w) => s + w, 0);
    if (weights.some((w) => !(w >= 0 && Number.isFinite(w))) || !(total > 0)) {
      throw new Error(`categorical: weights must be finite, >= 0 and not all 0, got [${weights.join(', ')}]`);
    }
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.findLastIndex((w) => w > 0);
  }

  /** One element, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('choice: cannot choose from an empty array');
    return items[this.int(0, items.length)]!;
  }

  /** A shuffled copy (Fisher–Yates); the input is left as it was. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    if (!Number.isInteger(n) || n < 0) throw new Error(`permutation: expected an integer n >= 0, got ${n}`);
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }
}

/** The root stream for `seed` (a safe integer). */
export function createRng(seed: number): Rng {
  return new Rng(seed);
}
