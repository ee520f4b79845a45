import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type ClipModelConfig, type ImageVariationConfig, resolveModel, verifyModel } from '../src/index.js';
import { normalisedRows, pixelValues, session } from './helpers/clip-runtime.js';
import { ddimSample } from './helpers/ddim.js';
import { firstTestImages } from './helpers/idx.js';

const model = await resolveModel('zoo:mini-diffusion');
const clip = await resolveModel('zoo:mini-clip');
const config = model.config as ImageVariationConfig;
const card = model.card!;
const denoiser = await session(model.files.denoiser!.path);
const vision = await session(clip.files.visionModel!.path);
afterAll(async () => {
  await denoiser.release();
  await vision.release();
});

const ref = card.reference_outputs as {
  denoiser_t480_eps_first8: number[];
  ddim_image_first8: number[];
  ddim_image_mean: number;
};

/** x = 1.2 sin(0.37 i + 0.5) over flat pixel index i, as the recipe built it. */
function deterministicX(): Float32Array {
  return Float32Array.from({ length: 28 * 28 }, (_, i) => 1.2 * Math.sin(0.37 * i + 0.5));
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

async function mnistCondition(): Promise<Float32Array> {
  const out = await vision.run({
    pixel_values: pixelValues(firstTestImages('mnist', 1).pixels, 1, clip.config as ClipModelConfig),
  });
  return normalisedRows(out.image_embeds!)[0]!;
}

describe('zoo:mini-diffusion', () => {
  it('states its schedule and sampler settings in config.json', () => {
    expect(model.kind).toBe('image-variation');
    expect(config.betas).toHaveLength(config.numTrainTimesteps);
    expect(config.betas[0]).toBeCloseTo(1e-4, 12);
    expect(config.betas.at(-1)).toBeCloseTo(0.02, 12);
    expect(config.ddimSteps).toBe(25);
    expect(config.ddimEta).toBe(0);
    expect(config.guidanceScale).toBe(3);
    expect(config.clipSample).toBe(true);
    expect(config.useClippedModelOutput).toBe(true);
    expect(config.conditionModel).toBe('zoo:mini-clip');
    expect(config.condDim).toBe((clip.config as ClipModelConfig).projectionDim);
  });

  it('was trained on the committed mini-clip image tower (its sha256 matches)', async () => {
    const clipReport = await verifyModel('zoo:mini-clip');
    const vision = clipReport.files.find((f) => f.path === 'onnx/vision_model.onnx')!;
    expect((card.condition_model as { vision_model_sha256: string }).vision_model_sha256).toBe(
      vision.actualSha256,
    );
  });

  it('denoiser: x_t [N,1,28,28], t [N], cond [N,D] -> eps [N,1,28,28], matching torch to 1e-4', async () => {
    const cond = await mnistCondition();
    const out = await denoiser.run({
      x_t: new ort.Tensor('float32', deterministicX(), [1, 1, 28, 28]),
      t: new ort.Tensor('float32', Float32Array.from([480]), [1]),
      cond: new ort.Tensor('float32', cond, [1, config.condDim]),
    });
    expect(out.eps!.dims).toEqual([1, 1, 28, 28]);
    const first8 = Array.from((out.eps!.data as Float32Array).slice(0, 8));
    expect(maxAbsDiff(first8, ref.denoiser_t480_eps_first8)).toBeLessThan(1e-4);
  });

  it("the README's DDIM equations on onnxruntime reproduce the image Python sampled (25 steps, guidance 3)", async () => {
    const image = await ddimSample(denoiser, config, await mnistCondition(), deterministicX());
    expect(maxAbsDiff(Array.from(image.slice(0, 8)), ref.ddim_image_first8)).toBeLessThan(2e-3);
    const mean = image.reduce((s, v) => s + v, 0) / image.length;
    expect(Math.abs(mean - ref.ddim_image_mean)).toBeLessThan(2e-3);
  });

  it('records variation accuracy and speed in its card', () => {
    const m = card.metrics as Record<string, number>;
    expect(m.variation_top1).toBeGreaterThan(0.3); // chance is 0.1
    expect(m.variation_top1).toBeLessThanOrEqual(1);
    expect(m.ms_per_variation).toBeGreaterThan(0);
  });
});
