import type { OnnxBackend } from '@attune/backend-onnx';
import type { TfjsBackend } from '@attune/backend-tfjs';
import { CAPABILITY } from '@attune/contracts';
import { definePlugin, type PluginContext, z } from '@attune/registry';
import { loadCausalLM } from './causal-lm.js';
import { loadVisionLanguageModel } from './clip-model.js';
import { loadImageVariationModel } from './image-variation-model.js';
import { loadMoELM } from './moe-lm.js';
import { loadRewardModel } from './reward-model.js';

const backendName = (capability: string, fallback: string) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/)
    .default(fallback)
    .describe(`The plugin that provides "${capability}" for this model (its config comes from the registry)`);

/**
 * The onnxruntime backend a model runs on, created through the registry so that the backend plugin's
 * config (threads, execution providers, batch size) reaches the run. A model's own `threads` (when > 0)
 * and `batchSize` override the backend's.
 */
function createInferenceBackend(
  requester: string,
  provider: string,
  overrides: { threads: number; batchSize?: number },
  context: PluginContext,
): Promise<OnnxBackend> {
  return context.registry.createByCapability<OnnxBackend>(
    CAPABILITY.onnxInference,
    {
      provider,
      requester,
      config: {
        ...(overrides.threads > 0 ? { intraOpNumThreads: overrides.threads } : {}),
        ...(overrides.batchSize !== undefined ? { batchSize: overrides.batchSize } : {}),
      },
    },
    context,
  );
}

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
  inferenceBackend: backendName(CAPABILITY.onnxInference, 'backend-onnx'),
  gradientBackend: backendName(CAPABILITY.inputGrad, 'backend-tfjs'),
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
  create: async (config, context) => {
    const onnx = await createInferenceBackend('clip', config.inferenceBackend, config, context);
    const { tfjsBackend } = config;
    try {
      return await loadVisionLanguageModel(config.source, {
        onnx,
        ownsOnnx: true,
        batchSize: config.batchSize,
        tfjs: { backend: tfjsBackend },
        // Created on the first gradient call, so a model used only forward never touches tfjs's backend.
        ...(tfjsBackend === 'current'
          ? {}
          : {
              gradients: () =>
                context.registry.createByCapability<TfjsBackend>(
                  CAPABILITY.inputGrad,
                  { provider: config.gradientBackend, requester: 'clip', config: { backend: tfjsBackend } },
                  context,
                ),
            }),
      });
    } catch (error) {
      await onnx.dispose();
      throw error;
    }
  },
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
  inferenceBackend: backendName(CAPABILITY.onnxInference, 'backend-onnx'),
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
  create: async (config, context) => {
    const onnx = await createInferenceBackend('image-variation', config.inferenceBackend, config, context);
    try {
      return await loadImageVariationModel(config.source, {
        onnx,
        ownsOnnx: true,
        batchSize: config.batchSize,
      });
    } catch (error) {
      await onnx.dispose();
      throw error;
    }
  },
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
  inferenceBackend: backendName(CAPABILITY.onnxInference, 'backend-onnx'),
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
  create: async (config, context) =>
    loadCausalLM(config.source, {
      onnx: await createInferenceBackend('causal-lm', config.inferenceBackend, config, context),
    }),
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
  inferenceBackend: backendName(CAPABILITY.onnxInference, 'backend-onnx'),
});

export const rewardModelPlugin = definePlugin({
  name: 'reward-model',
  kind: 'model',
  version: '0.1.0',
  description: 'Reward model: one scalar score per (prompt, completion) pair, batched (onnxruntime).',
  config: rewardModelConfig,
  needs: [CAPABILITY.onnxInference],
  provides: [CAPABILITY.rewardModel],
  create: async (config, context) =>
    loadRewardModel(config.source, {
      onnx: await createInferenceBackend('reward-model', config.inferenceBackend, config, context),
    }),
});

/** Config of the 'moe-lm' model plugin; `{}` gives the zoo's mini-moe. */
export const moeLMConfig = z.object({
  source: z
    .string()
    .min(1)
    .default('zoo:mini-moe')
    .describe(
      'A zoo id (zoo:mini-moe) or an "attune-moe" folder (config.json, tokenizer.json, onnx/model.onnx with router_probs and routing_override)',
    ),
  threads,
  inferenceBackend: backendName(CAPABILITY.onnxInference, 'backend-onnx'),
});

export const moeLMPlugin = definePlugin({
  name: 'moe-lm',
  kind: 'model',
  version: '0.1.0',
  description:
    "Mixture-of-experts decoder LM with its routing exposed: each layer's router distribution at the last prompt token, and an override of it (onnxruntime).",
  config: moeLMConfig,
  needs: [CAPABILITY.onnxInference],
  provides: [CAPABILITY.moeLm],
  create: async (config, context) =>
    loadMoELM(config.source, {
      onnx: await createInferenceBackend('moe-lm', config.inferenceBackend, config, context),
    }),
});

export default [clipModelPlugin, imageVariationPlugin, causalLMPlugin, rewardModelPlugin, moeLMPlugin];
