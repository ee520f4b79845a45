import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { Registry, UnmetCapabilityError } from '@attune/registry';
import { tf } from '@attune/tensor';
import { describe, expect, it } from 'vitest';
import type { OnnxCausalLM } from '../src/causal-lm.js';
import type { ClipVisionLanguageModel } from '../src/clip-model.js';
import type { ImageVariationModel } from '../src/image-variation-model.js';
import { createCausalLM, createMoELM, createRewardModel } from '../src/model-from-registry.js';
import { loadMoELM } from '../src/moe-lm.js';
import plugins, {
  causalLMPlugin,
  clipModelPlugin,
  imageVariationPlugin,
  moeLMPlugin,
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
    expect(plugins.map((p) => p.name)).toEqual([
      'clip',
      'image-variation',
      'causal-lm',
      'reward-model',
      'moe-lm',
    ]);
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

describe("the 'moe-lm' plugin", () => {
  it('declares what it needs and provides, defaulting to zoo:mini-moe', () => {
    expect(moeLMPlugin.kind).toBe('model');
    expect(moeLMPlugin.needs).toEqual(['onnx-inference']);
    expect(moeLMPlugin.provides).toEqual(['moe-lm']);
    expect(moeLMPlugin.config.parse({})).toEqual({
      source: 'zoo:mini-moe',
      threads: 0,
      inferenceBackend: 'backend-onnx',
    });
  });

  it("creates the MoE LM for a method on the registry's backend, with the same numbers as loading it directly", async () => {
    const registry = new Registry().register(onnxBackendPlugin).register(moeLMPlugin);
    const viaRegistry = await createMoELM('c3po', { source: 'zoo:mini-moe', threads: 1 }, { registry });
    const direct = await loadMoELM('zoo:mini-moe', { threads: 1 });
    try {
      const question = 'Is the word "splendid" positive or negative?';
      const options = ['positive', 'negative'];
      const a = await viaRegistry.scoreOptions(question, options);
      const b = await direct.scoreOptions(question, options);
      expect(a.logits).toEqual(b.logits);
      const [routedA] = await viaRegistry.route([viaRegistry.promptOf(question)]);
      const [routedB] = await direct.route([direct.promptOf(question)]);
      expect(Array.from(routedA!.pathway)).toEqual(Array.from(routedB!.pathway));
    } finally {
      await Promise.all([viaRegistry.dispose(), direct.dispose()]);
    }
  });

  it('refuses a plain causal LM as the MoE LM, and names the missing provider', async () => {
    const registry = new Registry().register(onnxBackendPlugin).register(moeLMPlugin);
    await expect(createMoELM('c3po', { source: 'zoo:mini-lm' }, { registry })).rejects.toThrow(
      /zoo:mini-lm is a causal-lm model; expected an MoE LM/,
    );
    await expect(
      createMoELM(
        'c3po',
        { source: 'zoo:mini-moe' },
        { registry: new Registry().register(onnxBackendPlugin) },
      ),
    ).rejects.toThrow(/plugin "c3po" needs a plugin that provides "moe-lm"/);
  });
});
