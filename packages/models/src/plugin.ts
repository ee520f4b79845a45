import { CAPABILITY } from '@attune/contracts';
import { definePlugin, z } from '@attune/registry';
import { loadCausalLM } from './causal-lm.js';
import { loadVisionLanguageModel } from './clip-model.js';
import { loadImageVariationModel } from './image-variation-model.js';
import { loadRewardModel } from './reward-model.js';

/** Config of the 'clip' model plugin; `{}` gives the zoo's mini-CLIP with onnxruntime's default threads. */
export const clipModelConfig = z.object({
  source: z
    .string()
    .min(1)
    .default('zoo:mini-clip')
    .describe('A zoo id (zoo:mini-clip), a shaped export (shaped:clip-vit-b-32) or a CLIP model folder'),
  threads: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('onnxruntime intra-op threads; 0 = every core this process may use'),
  batchSize: z
    .number()
    .int()
    .min(1)
    .default(64)
    .describe('Rows per onnxruntime call when encoding images or texts'),
  tfjsBackend: z
    .enum(['current', 'auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'])
    .default('auto')
    .describe(
      "tfjs backend for the differentiable text encoder; 'auto' = fastest installed, 'current' leaves tfjs as it is",
    ),
});

export const clipModelPlugin = definePlugin({
  name: 'clip',
  kind: 'model',
  version: '0.1.0',
  description:
    'CLIP vision-language model: preprocessing, image/text features (onnxruntime) and a differentiable text encoder over token embeddings (tfjs).',
  config: clipModelConfig,
  needs: [CAPABILITY.onnxInference],
  provides: [CAPABILITY.visionLanguage],
  create: (config) =>
    loadVisionLanguageModel(config.source, {
      ...(config.threads > 0 ? { threads: config.threads } : {}),
      batchSize: config.batchSize,
      tfjs: { backend: config.tfjsBackend },
    }),
});

/** Config of the 'image-variation' model plugin; `{}` gives the zoo's mini-diffusion. */
export const imageVariationConfig = z.object({
  source: z
    .string()
    .min(1)
    .default('zoo:mini-diffusion')
    .describe(
      'A zoo id (zoo:mini-diffusion) or an image-variation model folder (config.json + onnx/denoiser.onnx)',
    ),
  threads: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('onnxruntime intra-op threads; 0 = every core this process may use'),
  batchSize: z.number().int().min(1).default(64).describe('Denoiser rows per onnxruntime call'),
});

export const imageVariationPlugin = definePlugin({
  name: 'image-variation',
  kind: 'model',
  version: '0.1.0',
  description:
    'Image variations from a conditional diffusion model (DDIM with classifier-free guidance), conditioned on CLIP image embeddings.',
  config: imageVariationConfig,
  needs: [CAPABILITY.onnxInference],
  provides: [CAPABILITY.imageVariation],
  create: (config) =>
    loadImageVariationModel(config.source, {
      ...(config.threads > 0 ? { threads: config.threads } : {}),
      batchSize: config.batchSize,
    }),
});

const threads = z
  .number()
  .int()
  .min(0)
  .default(0)
  .describe('onnxruntime intra-op threads; 0 = every core this process may use');

/** Config of the 'causal-lm' model plugin; `{}` gives the zoo's mini-lm. */
export const causalLMConfig = z.object({
  source: z
    .string()
    .min(1)
    .default('zoo:mini-lm')
    .describe(
      'A zoo id (zoo:mini-lm) or a decoder model folder (config.json, tokenizer.json, onnx/model.onnx with a KV cache)',
    ),
  threads,
});

export const causalLMPlugin = definePlugin({
  name: 'causal-lm',
  kind: 'model',
  version: '0.1.0',
  description:
    'Decoder language model: tokenisation, batched sampling with a key/value cache, token log-probabilities (onnxruntime).',
  config: causalLMConfig,
  needs: [CAPABILITY.onnxInference],
  provides: [CAPABILITY.causalLm],
  create: (config) => loadCausalLM(config.source, config.threads > 0 ? { threads: config.threads } : {}),
});

/** Config of the 'reward-model' model plugin; `{}` gives the zoo's mini-rm. */
export const rewardModelConfig = z.object({
  source: z
    .string()
    .min(1)
    .default('zoo:mini-rm')
    .describe(
      'A zoo id (zoo:mini-rm) or a one-label sequence-classification folder (config.json, tokenizer.json, onnx/model.onnx)',
    ),
  threads,
});

export const rewardModelPlugin = definePlugin({
  name: 'reward-model',
  kind: 'model',
  version: '0.1.0',
  description: 'Reward model: one scalar score per (prompt, completion) pair, batched (onnxruntime).',
  config: rewardModelConfig,
  needs: [CAPABILITY.onnxInference],
  provides: [CAPABILITY.rewardModel],
  create: (config) => loadRewardModel(config.source, config.threads > 0 ? { threads: config.threads } : {}),
});

export default [clipModelPlugin, imageVariationPlugin, causalLMPlugin, rewardModelPlugin];
