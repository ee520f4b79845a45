// The registry of the benchmark: bench/run.ts uses it, and `--workers` processes import this module to
// rebuild it (the harness calls its `createRegistry` export).
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { causalLMPlugin, rewardModelPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import plugins from '../src/plugin.js';

export function createRegistry(): Registry {
  const registry = new Registry()
    .register(onnxBackendPlugin)
    .register(causalLMPlugin)
    .register(rewardModelPlugin);
  for (const plugin of plugins) registry.register(plugin);
  return registry;
}
