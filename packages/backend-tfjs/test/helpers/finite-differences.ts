import { tf } from '@attune/tensor';
import type { Feeds, OnnxGraph, Outputs } from '../../src/index.js';
import { normal, seededRandom } from './random.js';

/**
 * A linear read-out of every float output with fixed random weights: L = Σ_outputs Σ_i w_i · y_i. Every
 * output element then shapes the gradient. Integer and boolean outputs carry no gradient and are left out.
 */
export class RandomReadout {
  private readonly weights = new Map<string, Float32Array>();

  constructor(graph: OnnxGraph, feeds: Feeds, seed: number) {
    const probe = graph.run(feeds);
    const random = seededRandom(seed);
    for (const [name, tensor] of Object.entries(probe)) {
      if (tensor.dtype === 'float32') this.weights.set(name, normal(random, tensor.size));
    }
    tf.dispose(Object.values(probe));
  }

  get outputNames(): string[] {
    return [...this.weights.keys()];
  }

  /** The loss as a tfjs scalar, for `graph.gradients`. */
  readonly loss = (outputs: Outputs): tf.Scalar =>
    tf.tidy(() =>
      tf.addN(
        [...this.weights].map(([name, w]) =>
          tf.sum(tf.mul(outputs[name]!, tf.tensor(w, outputs[name]!.shape))),
        ),
      ),
    ) as tf.Scalar;

  /** The same loss summed in float64 from the outputs' values: finite differences need the precision. */
  evaluate(graph: OnnxGraph, feeds: Feeds): number {
    const outputs = graph.run(feeds, this.outputNames);
    let total = 0;
    for (const [name, w] of this.weights) {
      const y = outputs[name]!.dataSync();
      for (let i = 0; i < w.length; i++) total += w[i]! * y[i]!;
    }
    tf.dispose(Object.values(outputs));
    return total;
  }
}

export interface DirectionalCheck {
  readonly analytic: number;
  readonly numeric: number;
  readonly relativeError: number;
}

/**
 * Compares the analytic directional derivative <dL/dx, v> with the central difference
 * (L(x + h v) - L(x - h v)) / 2h along random directions v ~ N(0, I), for the input `wrt`. The relative
 * error is |analytic - numeric| / max(|analytic|, |numeric|, |grad|).
 */
export function checkDirectionalDerivatives(
  graph: OnnxGraph,
  feeds: Feeds,
  wrt: string,
  readout: RandomReadout,
  { directions = 3, step = 1e-4, seed = 5 } = {},
): DirectionalCheck[] {
  const { value, grads } = graph.gradients(feeds, [wrt], readout.loss, readout.outputNames);
  const gradient = grads[wrt]!.dataSync();
  const gradientNorm = Math.sqrt(Array.from(gradient).reduce((acc, g) => acc + g * g, 0));
  tf.dispose([value, grads[wrt]!]);
  const x = feeds[wrt]!;
  const base = x.dataSync();
  const random = seededRandom(seed);
  const lossAlong = (direction: Float32Array, sign: number) => {
    const moved = tf.tensor(
      base.map((v, i) => v + sign * step * direction[i]!),
      x.shape,
    );
    const loss = readout.evaluate(graph, { ...feeds, [wrt]: moved });
    moved.dispose();
    return loss;
  };
  const checks: DirectionalCheck[] = [];
  for (let d = 0; d < directions; d++) {
    const direction = normal(random, x.size);
    let analytic = 0;
    for (let i = 0; i < direction.length; i++) analytic += gradient[i]! * direction[i]!;
    const numeric = (lossAlong(direction, 1) - lossAlong(direction, -1)) / (2 * step);
    // Judged against the larger of the two and of |grad| (the typical size of <grad, v> for v ~ N(0, I)),
    // so a direction that happens to be nearly orthogonal to the gradient does not inflate the error.
    const relativeError =
      Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), gradientNorm);
    checks.push({ analytic, numeric, relativeError });
  }
  return checks;
}
