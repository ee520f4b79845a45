// The DDIM sampler against the zoo's Python sampler (attune_recipes/ddim.py) on the tiny-diffusion fixture.

import type { RawImage } from '@attune/contracts';
import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alphaBars, ddimCoefficients, ddimTimesteps } from '../src/ddim.js';
import { type ImageVariationModel, loadImageVariationModel } from '../src/image-variation-model.js';
import { FIXTURES, maxAbsError, maxRelativeError, readFixture } from './fixtures.js';

interface Reference {
  cond: number[];
  eps_t480_cond_and_t7_uncond: number[];
  ddim_steps: number;
  guidance_scale: number;
  timesteps: number[];
  ddim_images: number[];
  ddim_one_step_images: number[];
}
const ref = readFixture<Reference>('tiny-diffusion-reference.json');
const SOURCE: RawImage = {
  data: Uint8Array.from({ length: 28 * 28 }, (_, i) => (7 * i) % 256),
  width: 28,
  height: 28,
  channels: 1,
};
/** x_T = 1.2 * sin(0.37 * i + 0.5) over [2,1,28,28], as the fixture script builds it. */
const X_T = Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => 1.2 * Math.sin(0.37 * i + 0.5));

let model: ImageVariationModel;
beforeAll(async () => {
  model = await loadImageVariationModel(`${FIXTURES}tiny-diffusion`, { threads: 1 });
});
afterAll(async () => {
  await model.dispose();
});

describe('schedule', () => {
  it('leading timesteps and alpha-bar as the recipe', () => {
    expect(ddimTimesteps(1000, 4)).toEqual({ timesteps: [750, 500, 250, 0], stride: 250 });
    expect(ddimTimesteps(1000, 25).timesteps.slice(0, 3)).toEqual([960, 920, 880]);
    expect(ddimTimesteps(1000, ref.ddim_steps).timesteps).toEqual(ref.timesteps);
    const a = alphaBars([0.1, 0.2]);
    expect(Array.from(a)).toEqual([0.9, 0.9 * 0.8]);
    // eta = 1 at the last step: a_prev = 1 -> sigma = 0.
    expect(ddimCoefficients(a, 0, 1, 1).sigma).toBe(0);
    expect(ddimCoefficients(a, 1, 1, 1).sigma).toBeCloseTo(
      Math.sqrt(0.1 / 0.28) * Math.sqrt(1 - 0.72 / 0.9),
      12,
    );
    expect(() => ddimTimesteps(10, 11)).toThrow('DDIM steps must be an integer in [1, 10], got 11');
  });
});

describe('ImageVariationModel vs torch', () => {
  it('conditions on the normalised CLIP image embedding of the source', async () => {
    const cond = await model.condition(SOURCE);
    expect(cond.shape).toEqual([1, 24]);
    expect(maxRelativeError(cond.dataSync(), ref.cond)).toBeLessThan(1e-5);
    cond.dispose();
  });

  it('the denoiser matches torch', async () => {
    const cond = Float32Array.from([...ref.cond, ...new Array(24).fill(0)]);
    const eps480 = await model.denoise(X_T.subarray(0, 784), 480, cond.subarray(0, 24), 1);
    const eps7 = await model.denoise(X_T.subarray(784), 7, cond.subarray(24), 1);
    expect(maxRelativeError([...eps480, ...eps7], ref.eps_t480_cond_and_t7_uncond)).toBeLessThan(1e-4);
  });

  it('DDIM with guidance from the same x_T gives the images of the Python sampler (1 and 4 steps)', async () => {
    const conds = tf.tensor2d([...ref.cond, ...ref.cond], [2, 24]);
    const guidance = ref.guidance_scale;
    const one = await model.sample(conds, { steps: 1, guidance, eta: 0, xT: X_T });
    expect(maxAbsError(one, ref.ddim_one_step_images)).toBeLessThan(1e-4);
    const steps: number[] = [];
    const four = await model.sample(conds, {
      steps: 4,
      guidance,
      eta: 0,
      xT: X_T,
      batchSize: 3,
      onProgress: (s) => steps.push(s),
    });
    expect(maxAbsError(four, ref.ddim_images)).toBeLessThan(1e-4);
    expect(steps).toEqual([1, 2, 3, 4]);
    conds.dispose();
  });
});

describe('generateVariations', () => {
  it('gives [count,3,S,S] in [0,1], grayscale replicated, seeded', async () => {
    const before = tf.memory().numTensors;
    const a = await model.generateVariations(SOURCE, 3, { seed: 1 });
    const b = await model.generateVariations(SOURCE, 3, { seed: 1 });
    const c = await model.generateVariations(SOURCE, 3, { seed: 2 });
    expect(a.shape).toEqual([3, 3, 28, 28]);
    const values = a.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(Array.from(values.subarray(0, 784))).toEqual(Array.from(values.subarray(784, 2 * 784)));
    expect(Array.from(values)).toEqual(Array.from(b.dataSync()));
    expect(maxAbsError(values, c.dataSync())).toBeGreaterThan(0.01);
    // Variations differ from one another (different initial noise per row).
    expect(maxAbsError(values.subarray(0, 784), values.subarray(3 * 784, 4 * 784))).toBeGreaterThan(0.01);
    tf.dispose([a, b, c]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('eta > 0 adds seeded noise per step', async () => {
    const conds = tf.tensor2d(ref.cond, [1, 24]);
    const x = X_T.subarray(0, 784);
    const deterministic = await model.sample(conds, { steps: 4, eta: 0, xT: x, seed: 1 });
    const noisy1 = await model.sample(conds, { steps: 4, eta: 1, xT: x, seed: 1 });
    const noisy1again = await model.sample(conds, { steps: 4, eta: 1, xT: x, seed: 1 });
    const noisy2 = await model.sample(conds, { steps: 4, eta: 1, xT: x, seed: 2 });
    expect(Array.from(noisy1)).toEqual(Array.from(noisy1again));
    expect(maxAbsError(noisy1, deterministic)).toBeGreaterThan(0.01);
    expect(maxAbsError(noisy1, noisy2)).toBeGreaterThan(0.01);
    conds.dispose();
  });

  it('names bad arguments', async () => {
    await expect(model.generateVariations(SOURCE, 0)).rejects.toThrow(
      'count must be a positive integer, got 0',
    );
    const conds = tf.zeros([2, 5]) as tf.Tensor2D;
    await expect(model.sample(conds)).rejects.toThrow('expected conditions [N,24], got [2,5]');
    conds.dispose();
    const ok = tf.zeros([1, 24]) as tf.Tensor2D;
    await expect(model.sample(ok, { xT: new Float32Array(5) })).rejects.toThrow(
      'xT: expected 784 values ([1,1,28,28]), got 5',
    );
    ok.dispose();
  });
});
