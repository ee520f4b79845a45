// The zoo's mini-diffusion (conditioned on mini-CLIP): the denoiser and the full 25-step DDIM sample against
// the numbers its recipe wrote into card.json (torch, attune_recipes/ddim.py).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImageVariationModel, loadImageVariationModel } from '../src/image-variation-model.js';
import { maxAbsError, maxRelativeError } from './fixtures.js';
import { mnistTest } from './mnist.js';

const MODEL_DIR = join(ZOO_MODELS_DIR, 'mini-diffusion');
const present =
  existsSync(join(MODEL_DIR, 'card.json')) && existsSync(join(ZOO_MODELS_DIR, 'mini-clip', 'card.json'));
if (!present)
  console.warn(`[@attune/models] ${MODEL_DIR} has no trained mini-diffusion yet: its tests are skipped`);

interface Card {
  reference_outputs: {
    denoiser_t480_eps_first8: number[];
    ddim_image_first8: number[];
    ddim_image_mean: number;
    ddim_settings: { steps: number; eta: number; guidance_scale: number };
  };
}

/** x = 1.2 * sin(0.37 * i + 0.5) for flat pixel index i, [1,1,28,28] (the recipe's deterministic_inputs). */
const X = Float32Array.from({ length: 28 * 28 }, (_, i) => 1.2 * Math.sin(0.37 * i + 0.5));

describe.skipIf(!present)('zoo:mini-diffusion', () => {
  let model: ImageVariationModel;
  let card: Card;
  const digit = mnistTest(1).images[0]!;
  beforeAll(async () => {
    card = JSON.parse(readFileSync(join(MODEL_DIR, 'card.json'), 'utf8')) as Card;
    model = await loadImageVariationModel('zoo:mini-diffusion', { threads: 2 });
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it('conditions on mini-CLIP and the denoiser matches the recipe', async () => {
    expect(model.conditionModel.source).toBe('zoo:mini-clip');
    const cond = await model.condition(digit);
    const eps = await model.denoise(X, 480, cond.dataSync() as Float32Array, 1);
    expect(
      maxRelativeError(eps.subarray(0, 8), card.reference_outputs.denoiser_t480_eps_first8),
    ).toBeLessThan(1e-4);
    cond.dispose();
  });

  it('the DDIM sample from the same x_T matches the recipe', async () => {
    const { steps, eta, guidance_scale: guidance } = card.reference_outputs.ddim_settings;
    const cond = await model.condition(digit);
    const image = await model.sample(cond, { steps, eta, guidance, xT: X });
    expect(maxAbsError(image.subarray(0, 8), card.reference_outputs.ddim_image_first8)).toBeLessThan(1e-3);
    const mean = image.reduce((s, v) => s + v, 0) / image.length;
    expect(Math.abs(mean - card.reference_outputs.ddim_image_mean)).toBeLessThan(1e-4);
    cond.dispose();
  });
});
