// NGD's and the oracle's optimiser, step for step the torch oracle's (packages/zoo/recipes/attune_recipes/
// routing_oracle.py, optimise_routing): `steps` steps, cosine lr from lrMax to lrMin, Adam's normalised step
// (β 0.9 / 0.999, ε 1e-8, bias-corrected) or the plain gradient step, and after each step ω re-projected
// onto the simplex per layer (clamp at 0, renormalise). The paper gives the schedule, not the optimiser;
// plain steps of 1e-2 barely move zoo:mini-moe's routing (README), hence Adam by default.
import type { LossAndGradient } from './routing-gradient.js';

export type RoutingOptimizer = 'adam' | 'sgd';

export interface RoutingOptimiserOptions {
  readonly steps?: number;
  readonly lrMax?: number;
  readonly lrMin?: number;
  readonly optimizer?: RoutingOptimizer;
  /** 1 where ω may move (core experts), 0 where it keeps its start value before re-projection; default all. */
  readonly trainable?: Uint8Array;
}

export interface RoutingOptimisation {
  readonly weights: Float32Array;
  /** ω after each step. */
  readonly trajectory: readonly Float32Array[];
  /** The loss at each step's start. */
  readonly losses: readonly number[];
}

export function cosineLr(step: number, steps: number, lrMax = 1e-2, lrMin = 1e-5): number {
  return lrMin + 0.5 * (lrMax - lrMin) * (1 + Math.cos((Math.PI * step) / Math.max(1, steps - 1)));
}

export async function optimiseRouting(
  objective: (omega: Float32Array) => Promise<LossAndGradient>,
  start: Float32Array,
  numExperts: number,
  options: RoutingOptimiserOptions = {},
): Promise<RoutingOptimisation> {
  const steps = options.steps ?? 10;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`steps must be a positive integer, got ${steps}`);
  }
  const lrMax = options.lrMax ?? 1e-2;
  const lrMin = options.lrMin ?? 1e-5;
  if (!(lrMax > 0) || !(lrMin > 0) || lrMin > lrMax) {
    throw new RangeError(
      `learning rates must satisfy 0 < lrMin <= lrMax, got lrMin ${lrMin}, lrMax ${lrMax}`,
    );
  }
  const optimizer = options.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd') {
    throw new RangeError(`optimizer must be "adam" or "sgd", got ${JSON.stringify(optimizer)}`);
  }
  if (start.length % numExperts !== 0) {
    throw new RangeError(`ω has ${start.length} values, not a whole number of ${numExperts}-expert layers`);
  }
  const trainable = options.trainable;
  if (trainable && trainable.length !== start.length) {
    throw new RangeError(`trainable mask has ${trainable.length} entries, ω ${start.length}`);
  }
  let w = Float32Array.from(start);
  const m = new Float32Array(w.length);
  const v = new Float32Array(w.length);
  const trajectory: Float32Array[] = [];
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { loss, gradient } = await objective(w);
    losses.push(loss);
    const lr = cosineLr(step, steps, lrMax, lrMin);
    const next = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) {
      const g = gradient[i]!;
      let update = g;
      if (optimizer === 'adam') {
        m[i] = 0.9 * m[i]! + 0.1 * g;
        v[i] = 0.999 * v[i]! + 0.001 * g * g;
        update = m[i]! / (1 - 0.9 ** (step + 1)) / (Math.sqrt(v[i]! / (1 - 0.999 ** (step + 1))) + 1e-8);
      }
      if (trainable && !trainable[i]) update = 0;
      next[i] = Math.max(w[i]! - lr * update, 0);
    }
    for (let l = 0; l < w.length / numExperts; l++) {
      let s = 0;
      for (let e = 0; e < numExperts; e++) s += next[l * numExperts + e]!;
      s = Math.max(s, 1e-12);
      for (let e = 0; e < numExperts; e++) next[l * numExperts + e]! /= s;
    }
    w = next;
    trajectory.push(Float32Array.from(w));
  }
  return { weights: w, trajectory, losses };
}
