/**
 * The DDIM sampler with classifier-free guidance, the same equations as the zoo's recipe
 * (packages/zoo/recipes/attune_recipes/ddim.py, which zoo:mini-diffusion was trained and evaluated with):
 *
 *   alpha_bar[t] = prod_{s<=t} (1 - beta[s])
 *   timesteps    = [k * (T // S) for k = S-1 .. 0]                 ("leading" spacing)
 *   eps          = eps(x, t, 0) + w * (eps(x, t, c) - eps(x, t, 0))
 *   x0           = clip((x - sqrt(1 - a_t) * eps) / sqrt(a_t), -1, 1)
 *   eps          = (x - sqrt(a_t) * x0) / sqrt(1 - a_t)   (only with useClippedModelOutput: re-derived from the
 *                                                         clipped x0, as GLIDE does; zoo:mini-diffusion sets it)
 *   a_prev       = alpha_bar[t - T // S], or 1 after the last step
 *   sigma        = eta * sqrt((1 - a_prev) / (1 - a_t)) * sqrt(1 - a_t / a_prev)
 *   x            = sqrt(a_prev) * x0 + sqrt(max(1 - a_prev - sigma², 0)) * eps + sigma * z
 *   image        = clip((x + 1) / 2, 0, 1)
 *
 * The schedule is computed in double precision (torch: float64 betas); the state x is float32, as in torch.
 */

/** Cumulative products of (1 - beta), in double precision. */
export function alphaBars(betas: readonly number[]): Float64Array {
  const out = new Float64Array(betas.length);
  let product = 1;
  betas.forEach((beta, t) => {
    if (!(beta > 0 && beta < 1)) throw new Error(`betas[${t}] must be in (0, 1), got ${beta}`);
    product *= 1 - beta;
    out[t] = product;
  });
  return out;
}

/** DDIM's "leading" timesteps, last first: [k * (T // S) for k = S-1 .. 0], and the stride T // S. */
export function ddimTimesteps(
  numTrainTimesteps: number,
  steps: number,
): { timesteps: number[]; stride: number } {
  if (!Number.isInteger(steps) || steps < 1 || steps > numTrainTimesteps) {
    throw new Error(`DDIM steps must be an integer in [1, ${numTrainTimesteps}], got ${steps}`);
  }
  const stride = Math.floor(numTrainTimesteps / steps);
  const timesteps = Array.from({ length: steps }, (_, i) => (steps - 1 - i) * stride);
  return { timesteps, stride };
}

/** eps_uncond + w * (eps_cond - eps_uncond), elementwise into a new float32 array. */
export function guidedNoise(epsCond: Float32Array, epsUncond: Float32Array, guidance: number): Float32Array {
  if (epsCond.length !== epsUncond.length) {
    throw new Error(`guidedNoise: ${epsCond.length} conditional vs ${epsUncond.length} unconditional values`);
  }
  const out = new Float32Array(epsCond.length);
  for (let i = 0; i < out.length; i++) out[i] = epsUncond[i]! + guidance * (epsCond[i]! - epsUncond[i]!);
  return out;
}

export interface DdimStepCoefficients {
  readonly aT: number;
  readonly aPrev: number;
  readonly sigma: number;
}

/** The scalars of one step from timestep t (a_prev = 1 after the last step). */
export function ddimCoefficients(
  alphaBar: Float64Array,
  t: number,
  stride: number,
  eta: number,
): DdimStepCoefficients {
  const aT = alphaBar[t];
  if (aT === undefined) throw new Error(`timestep ${t} is outside the schedule [0, ${alphaBar.length})`);
  const aPrev = t - stride >= 0 ? alphaBar[t - stride]! : 1;
  const sigma = eta * Math.sqrt((1 - aPrev) / (1 - aT)) * Math.sqrt(1 - aT / aPrev);
  return { aT, aPrev, sigma };
}

/**
 * One DDIM update of x in place. `noise` (standard normal, same length) is only read when sigma > 0.
 */
export function ddimUpdate(
  x: Float32Array,
  eps: Float32Array,
  { aT, aPrev, sigma }: DdimStepCoefficients,
  noise?: Float32Array,
  clipSample = true,
  useClippedModelOutput = false,
): void {
  if (sigma > 0 && (!noise || noise.length !== x.length)) {
    throw new Error(
      `ddimUpdate: sigma ${sigma} > 0 needs ${x.length} noise values, got ${noise?.length ?? 0}`,
    );
  }
  const sqrtOneMinusAT = Math.sqrt(1 - aT);
  const sqrtAT = Math.sqrt(aT);
  const sqrtAPrev = Math.sqrt(aPrev);
  const direction = Math.sqrt(Math.max(1 - aPrev - sigma * sigma, 0));
  for (let i = 0; i < x.length; i++) {
    let x0 = (x[i]! - sqrtOneMinusAT * eps[i]!) / sqrtAT;
    if (clipSample) x0 = Math.min(1, Math.max(-1, x0));
    const e = useClippedModelOutput ? (x[i]! - sqrtAT * x0) / sqrtOneMinusAT : eps[i]!;
    x[i] = sqrtAPrev * x0 + direction * e + (sigma > 0 ? sigma * noise![i]! : 0);
  }
}

/** clip((x + 1) / 2, 0, 1): model space [-1, 1] to image space [0, 1]. */
export function toUnitRange(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(1, Math.max(0, (x[i]! + 1) / 2));
  return out;
}
