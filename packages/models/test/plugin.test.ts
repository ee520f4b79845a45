import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { Registry, UnmetCapabilityError } from '@attune/registry';
import { tf } from '@attune/tensor';
import { describe, expect, it } from 'vitest';
import type { OnnxCausalLM } from '../src/causal-lm.js';
import type { ClipVisionLanguageModel } from '../src/clip-model.js';
import type { ImageVariationModel } from '../src/image-variation-model.js';
import { createCausalLM, createRewardModel } from '../src/model-from-registry.js';
import plugins, {
  causalLMPlugin,
  clipModelPlugin,
  imageVariationPlugin,
  rewardModelPlugin,
} from '../src/plugin.js';
import type { VisionLanguageModel } from '../src/vision-language-model.js';
import { FIXTURES, TINY_CLIP } from './fixtures.js';

describe("the 'clip' plugin", () => {
  it('declares what it needs and provides, with defaults for every field', () => {
    expect(clipModelPlugin.kind).toBe('model');
    expect(clipModelPlugin.needs).toEqual(['onnx-inference']);
    expect(clipModelPlugin.provides).toEqual(['vision-language']);
    expect(clipModelPlugin.config.parse({})).toEqual({
      source: 'zoo:mini-clip',
      threads: 0,
      batchSize: 64,
      tfjsBackend: 'auto',
      inferenceBackend: 'backend-onnx',
      gradientBackend: 'backend-tfjs',
    });
  });

  it("runs on the registry's backend-onnx, so that backend's config reaches the model", async () => {
    const registry = new Registry().register(onnxBackendPlugin).register(clipModelPlugin);
    registry.configure('backend-onnx', { intraOpNumThreads: 1 });
    const model = (await registry.create('clip')) as VisionLanguageModel;
    try {
      expect(model.backends.inference).toBe('onnxruntime-node cpu (1 thread)');
    } finally {
      await model.dispose();
    }
    await expect(registry.create('clip', { inferenceBackend: 'backend-tfjs' })).rejects.toThrow(
      'unknown plugin "backend-tfjs"',
    );
  });

  it('needs an onnx-inference provider in the registry', async () => {
    const registry = new Registry().register(clipModelPlugin);
    await expect(registry.create('clip', { source: TINY_CLIP })).rejects.toBeInstanceOf(UnmetCapabilityError);
  });

  it('creates a working VisionLanguageModel through the registry', async () => {
    const registry = new Registry().register(onnxBackendPlugin).register(clipModelPlugin);
    const model = await registry.create<ClipVisionLanguageModel>('clip', {
      source: TINY_CLIP,
      threads: 1,
      batchSize: 2,
    });
    try {
      expect(model.backends.inference).toBe('onnxruntime-node cpu (1 thread)');
      const features = await model.encodeTexts([
        'a photo of a one.',
        'a photo of a two.',
        'a handwritten zero.',
      ]);
      expect(features.shape).toEqual([3, 24]);
      const norms = tf.tidy(() => tf.norm(features, 2, 1));
      for (const n of norms.dataSync()) expect(n).toBeGreaterThan(0);
      tf.dispose([features, norms]);
    } finally {
      await model.dispose();
    }
  });

  it('refuses a bad config with the registry error', async () => {
    const registry = new Registry().register(onnxBackendPlugin).register(clipModelPlugin);
    await expect(registry.create('clip', { batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});

describe("the 'image-variation' plugin", () => {
  it('is exported with clip as the package plugin list', () => {
    expect(plugins.map((p) => p.name)).toEqual(['clip', 'image-variation', 'causal-lm', 'reward-model']);
    expect(imageVariationPlugin.provides).toEqual(['image-variation']);
  });

  it('loads the denoiser and its condition model through the registry', async () => {
    const registry = new Registry().register(onnxBackendPlugin).register(imageVariationPlugin);
    const model = await registry.create<ImageVariationModel>('image-variation', {
      source: `${FIXTURES}tiny-diffusion`,
      threads: 1,
    });
    try {
      expect(model.conditionModel.source).toBe(TINY_CLIP);
      expect(model.backend).toBe('onnxruntime-node cpu (1 thread)');
    } finally {
      await model.dispose();
    }
  });
});

describe("the 'causal-lm' and 'reward-model' plugins", () => {
  it('declare what they need and provide, defaulting to the zoo language models', () => {
    expect(causalLMPlugin.kind).toBe('model');
    expect(causalLMPlugin.needs).toEqual(['onnx-inference']);
    expect(causalLMPlugin.provides).toEqual(['causal-lm']);
    expect(causalLMPlugin.config.parse({})).toEqual({
      source: 'zoo:mini-lm',
      threads: 0,
      inferenceBackend: 'backend-onnx',
    });
    expect(rewardModelPlugin.provides).toEqual(['reward-model']);
    expect(rewardModelPlugin.config.parse({})).toEqual({
      source: 'zoo:mini-rm',
      threads: 0,
      inferenceBackend: 'backend-onnx',
    });
  });

  it("run on the registry's onnxruntime backend, so its config (threads) reaches them", async () => {
    const registry = new Registry()
      .register(onnxBackendPlugin)
      .register(causalLMPlugin)
      .configure('backend-onnx', { intraOpNumThreads: 1 });
    const lm = await registry.create<OnnxCausalLM>('causal-lm', {});
    try {
      expect(lm.backendName).toMatch(/^onnxruntime-node cpu .*\(1 thread\)$/);
    } finally {
      await lm.dispose();
    }
    // The model's own threads override the backend's.
    const two = await registry.create<OnnxCausalLM>('causal-lm', {
      threads: 2,
    });
    try {
      expect(two.backendName).toMatch(/\(2 threads\)$/);
    } finally {
      await two.dispose();
    }
  });

  it('create a CausalLM and a RewardModel for a method through the registry', async () => {
    const registry = new Registry()
      .register(onnxBackendPlugin)
      .register(causalLMPlugin)
      .register(rewardModelPlugin);
    const lm = await createCausalLM('qalign', { source: 'zoo:mini-lm', threads: 1 }, { registry });
    const rm = await createRewardModel('qalign', { source: 'zoo:mini-rm', threads: 1 }, { registry });
    try {
      const prefix = lm.encode('Question: Mia has 2 apples.\nAnswer:');
      const [g] = await lm.generate([prefix], { maxNewTokens: 4, temperature: 0, stopTokens: [] });
      expect(g!.tokens).toHaveLength(4);
      const [score] = await rm.score([{ prompt: 'Question: x\nAnswer:', completion: lm.decode(g!.tokens) }]);
      expect(Number.isFinite(score)).toBe(true);
    } finally {
      await Promise.all([lm.dispose(), rm.dispose()]);
    }
  });

  it('say which plugin a method lacks when none provides the capability', async () => {
    const registry = new Registry().register(onnxBackendPlugin);
    await expect(createCausalLM('qalign', { source: 'zoo:mini-lm' }, { registry })).rejects.toThrow(
      'plugin "qalign" needs a plugin that provides "causal-lm", but no installed plugin provides it (provided: onnx-inference). Install a package that provides "causal-lm".',
    );
    await expect(createRewardModel('qalign', { source: 'zoo:mini-rm' }, { registry })).rejects.toThrow(
      /provides "reward-model"/,
    );
  });
});
