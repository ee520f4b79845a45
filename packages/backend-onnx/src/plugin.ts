import { CAPABILITY } from '@attune/contracts';
import { definePlugin, z } from '@attune/registry';
import { createOnnxBackend } from './backend.js';
import { defaultIntraOpThreads, EXECUTION_PROVIDERS } from './options.js';

/** Config of the 'backend-onnx' plugin; every field has a default, so `{}` is a valid config. */
export const onnxBackendConfig = z.object({
  intraOpNumThreads: z
    .number()
    .int()
    .min(1)
    .default(() => defaultIntraOpThreads())
    .describe('Threads inside one operator; default: every core this process may use'),
  interOpNumThreads: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('Threads running independent operators at once (above 1, onnxruntime runs in parallel mode)'),
  executionProviders: z
    .array(z.enum(EXECUTION_PROVIDERS))
    .min(1)
    .default(['cpu'])
    .describe("In order of preference; 'cuda' falls back to cpu where the installed onnxruntime lacks it"),
  batchSize: z.number().int().min(1).default(64).describe('Rows per onnxruntime call in batched runs'),
});

export const onnxBackendPlugin = definePlugin({
  name: 'backend-onnx',
  kind: 'backend',
  version: '0.1.0',
  description:
    'Runs ONNX models with onnxruntime-node: checked feeds, batching, warm-up and a session cache.',
  config: onnxBackendConfig,
  provides: [CAPABILITY.onnxInference],
  create: (config) => createOnnxBackend(config),
});

export default onnxBackendPlugin;
