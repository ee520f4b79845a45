import { definePlugin, z } from '@attune/registry';
import { loadVisionLanguageModel } from './clip-model.js';
import { loadImageVariationModel } from './image-variation-model.js';

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
  needs: ['onnx-inference'],
  provides: ['vision-language'],
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
  needs: ['onnx-inference'],
  provides: ['image-variation'],
  create: (config) =>
    loadImageVariationModel(config.source, {
      ...(config.threads > 0 ? { threads: config.threads } : {}),
      batchSize: config.batchSize,
    }),
});

export default [clipModelPlugin, imageVariationPlugin];
