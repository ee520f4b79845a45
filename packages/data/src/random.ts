import { createRng, type Rng } from '@attune/tensor';

export { createRng, type Rng };

/** Seeds are unsigned 32-bit integers, so they round-trip through sample lists and JSON unchanged. */
export function checkSeed(seed: number, what = 'seed'): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`${what} must be an integer in [0, 2^32), got ${seed}`);
  }
}

/**
 * A uint32 seed for one named thing under a parent seed: the shared RNG forked along `labels`, so the
 * value depends only on (seed, labels) — a sample's seed never depends on its position in a list.
 */
export function seedFor(seed: number, ...labels: readonly (string | number)[]): number {
  checkSeed(seed);
  return labels.reduce<Rng>((rng, label) => rng.fork(label), createRng(seed)).int(0, 2 ** 32);
}

/**
 * Poisson(lambda) as numpy samples it: multiplication of uniforms below 10, Hörmann's transformed
 * rejection (PTRS, 1993) above. ImageNet-C's shot noise is `np.random.poisson(x·c)/c`.
 */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda >= 0 && Number.isFinite(lambda)))
    throw new Error(`poisson: expected a finite lambda >= 0, got ${lambda}`);
  if (lambda === 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let product = rng.uniform();
    while (product > limit) {
      k++;
      product *= rng.uniform();
    }
    return k;
  }
  const sqrtLambda = Math.sqrt(lambda);
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * sqrtLambda;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.uniform() - 0.5;
    const v = rng.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -lambda + k * logLambda - logGamma(k + 1)
    ) {
      return k;
    }
  }
}

const LOG_GAMMA_COEFFICIENTS = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4,
  8.417508417508418e-4, -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2,
  1.796443723688307e-1, -1.3924322169059,
];

/** log Γ(x) for x > 0 by the Stirling series numpy's samplers use (`random_loggam`). */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const n = x < 7 ? Math.floor(7 - x) : 0;
  let x0 = x + n;
  const x2 = 1 / (x0 * x0);
  let series = LOG_GAMMA_COEFFICIENTS[9]!;
  for (let k = 8; k >= 0; k--) series = series * x2 + LOG_GAMMA_COEFFICIENTS[k]!;
  let value = series / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 1; k <= n; k++) {
    value -= Math.log(x0 - 1);
    x0 -= 1;
  }
  return value;
}
