import { describe, expect, it } from 'vitest';
import { modelKindOf, parseClipConfig, parseImageVariationConfig } from '../src/index.js';

const clipBase = {
  model_type: 'clip',
  projection_dim: 512,
  text_config: { max_position_embeddings: 77 },
  vision_config: { image_size: 224 },
};

describe('parseClipConfig', () => {
  it('reads an explicit logit scale and exponentiates it', () => {
    const c = parseClipConfig({ ...clipBase, logit_scale: Math.log(50) }, 'config.json');
    expect(c.logitScaleExp).toBeCloseTo(50, 10);
    expect(c.logitScaleSource).toBe('config.logit_scale');
    expect(c.imageMean).toEqual([0.48145466, 0.4578275, 0.40821073]);
    expect(c.singleTemplate).toBe('a photo of a {}.');
  });

  it('names a missing size and where it was looked for', () => {
    expect(() => parseClipConfig({ model_type: 'clip', projection_dim: 512 }, 'x/config.json')).toThrow(
      'x/config.json: missing image size: expected one of image_size, vision_config.image_size, crop_size.height, crop_size, size.shortest_edge',
    );
  });

  it('rejects image statistics of the wrong length', () => {
    expect(() => parseClipConfig({ ...clipBase, image_mean: [0.5, 0.5] }, 'config.json')).toThrow(
      'config.json: image_mean (image mean) must be an array of finite numbers of length 3, got [0.5,0.5]',
    );
  });
});

describe('parseImageVariationConfig', () => {
  const base = {
    model_type: 'ddpm-image-variation',
    image_size: 28,
    channels: 1,
    num_train_timesteps: 3,
    betas: [0.1, 0.2, 0.3],
    cond_dim: 128,
    condition_model: 'zoo:mini-clip',
    guidance_scale: 3,
    ddim: { steps: 2, eta: 0 },
  };

  it('reads the schedule and sampler defaults', () => {
    const c = parseImageVariationConfig(base, 'config.json');
    expect(c.betas).toEqual([0.1, 0.2, 0.3]);
    expect(c.ddimSteps).toBe(2);
    expect(c.guidanceScale).toBe(3);
    // diffusers' defaults when the keys are absent
    expect(c.clipSample).toBe(true);
    expect(c.useClippedModelOutput).toBe(false);
    const glide = parseImageVariationConfig(
      { ...base, ddim: { steps: 2, eta: 0, use_clipped_model_output: true } },
      'c.json',
    );
    expect(glide.useClippedModelOutput).toBe(true);
    expect(() =>
      parseImageVariationConfig({ ...base, ddim: { steps: 2, eta: 0, clip_sample: 'yes' } }, 'c.json'),
    ).toThrow('c.json: ddim.clip_sample (x0 clipping) must be true or false, got "yes"');
  });

  it('rejects a schedule whose length disagrees with num_train_timesteps', () => {
    expect(() => parseImageVariationConfig({ ...base, betas: [0.1, 0.2] }, 'config.json')).toThrow(
      'config.json: betas (noise schedule) must be an array of finite numbers of length 3, got [0.1,0.2]',
    );
  });

  it('rejects betas outside (0, 1) and too many DDIM steps', () => {
    expect(() => parseImageVariationConfig({ ...base, betas: [0.1, 1.5, 0.3] }, 'config.json')).toThrow(
      'config.json: betas[1] must be in (0, 1), got 1.5',
    );
    expect(() => parseImageVariationConfig({ ...base, ddim: { steps: 9, eta: 0 } }, 'config.json')).toThrow(
      'config.json: ddim.steps (9) must be at most num_train_timesteps (3)',
    );
  });
});

describe('modelKindOf', () => {
  it('maps model_type to a kind and rejects unknown types', () => {
    expect(modelKindOf({ model_type: 'clip' }, 'c.json')).toBe('clip');
    expect(modelKindOf({ model_type: 'ddpm-image-variation' }, 'c.json')).toBe('image-variation');
    expect(() => modelKindOf([], 'c.json')).toThrow('c.json: expected a JSON object');
    expect(() => modelKindOf({}, 'c.json')).toThrow('c.json: model_type undefined is not supported');
  });
});
