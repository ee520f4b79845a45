import { CAPABILITY } from '@attune/contracts';
import { definePlugin, z } from '@attune/registry';
import { BACKEND_NAMES } from './backend-selection.js';
import { createTfjsBackend } from './tfjs-backend.js';

/** Config of the 'backend-tfjs' plugin; `{}` selects the backend automatically. */
export const tfjsBackendConfig = z.object({
  backend: z
    .enum(['auto', ...BACKEND_NAMES])
    .default('auto')
    .describe('tfjs backend: auto tries tensorflow-gpu, tensorflow, wasm, then cpu'),
});

export const tfjsBackendPlugin = definePlugin({
  name: 'backend-tfjs',
  kind: 'backend',
  version: '0.1.0',
  description:
    'Executes ONNX graphs with TensorFlow.js ops, with gradients with respect to graph inputs (weights frozen).',
  config: tfjsBackendConfig,
  provides: [CAPABILITY.onnxInference, CAPABILITY.inputGrad],
  create: (config) => createTfjsBackend(config),
});

export default tfjsBackendPlugin;
