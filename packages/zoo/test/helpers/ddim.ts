/**
 * The DDIM sampler with classifier-free guidance exactly as the README writes it; the test checks that
 * these equations, run on onnxruntime-node, reproduce the image the Python recipe sampled.
 */
import * as ort from 'onnxruntime-node';
import type { ImageVariationConfig } from '../../src/index.js';

export async function ddimSample(
  denoiser: ort.InferenceSession,
  config: ImageVariationConfig,
  cond: Float32Array,
  xT: Float32Array,
  steps = config.ddimSteps,
  guidance = config.guidanceScale,
): Promise<Float32Array> {
  const D = config.condDim;
  const n = cond.length / D;
  const P = config.imageSize * config.imageSize * config.channels;
  const alphaBar: number[] = [];
  config.betas.reduce((prod, beta) => {
    const next = prod * (1 - beta);
    alphaBar.push(next);
    return next;
  }, 1);
  const stride = Math.floor(config.numTrainTimesteps / steps);
  let x = Float32Array.from(xT);
  for (let k = steps - 1; k >= 0; k--) {
    const t = k * stride;
    // One batch of 2n rows: conditional first, unconditional (zero condition) second.
    const xx = new Float32Array(2 * n * P);
    xx.set(x, 0);
    xx.set(x, n * P);
    const cc = new Float32Array(2 * n * D);
    cc.set(cond, 0);
    const out = await denoiser.run({
      x_t: new ort.Tensor('float32', xx, [2 * n, config.channels, config.imageSize, config.imageSize]),
      t: new ort.Tensor('float32', new Float32Array(2 * n).fill(t), [2 * n]),
      cond: new ort.Tensor('float32', cc, [2 * n, D]),
    });
    const both = out.eps!.data as Float32Array;
    const aT = alphaBar[t]!;
    const aPrev = t - stride >= 0 ? alphaBar[t - stride]! : 1;
    const next = new Float32Array(n * P);
    for (let i = 0; i < n * P; i++) {
      const eps = both[n * P + i]! + guidance * (both[i]! - both[n * P + i]!);
      const raw = (x[i]! - Math.sqrt(1 - aT) * eps) / Math.sqrt(aT);
      const x0 = config.clipSample ? Math.min(1, Math.max(-1, raw)) : raw;
      const direction = config.useClippedModelOutput ? (x[i]! - Math.sqrt(aT) * x0) / Math.sqrt(1 - aT) : eps;
      // eta = 0: sigma = 0, so no noise term.
      next[i] = Math.sqrt(aPrev) * x0 + Math.sqrt(Math.max(1 - aPrev, 0)) * direction;
    }
    x = next;
  }
  return x.map((v) => Math.min(1, Math.max(0, (v + 1) / 2)));
}
