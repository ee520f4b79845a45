// Real inputs for the tests: the zoo's mini-lm and mini-rm (through the registry's model plugins, as the
// CLI loads them) and held-out arithmetic problems the LM never saw.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { causalLMPlugin, rewardModelPlugin } from '@attune/models';
import { type Plugin, Registry } from '@attune/registry';
import { ZOO_MODELS_DIR } from '@attune/zoo';

export function modelRegistry(...plugins: Plugin[]): Registry {
  const registry = new Registry()
    .register(onnxBackendPlugin)
    .register(causalLMPlugin)
    .register(rewardModelPlugin);
  for (const plugin of plugins) registry.register(plugin);
  return registry;
}

export interface HeldoutProblem {
  readonly id: string;
  readonly question: string;
  readonly solution: string;
  readonly answer: number;
  readonly steps: number;
}

export const HELDOUT_PATH = join(ZOO_MODELS_DIR, 'mini-lm', 'heldout.jsonl');

/** The first `count` held-out problems of zoo:mini-lm. */
export function heldoutProblems(count: number): HeldoutProblem[] {
  return readFileSync(HELDOUT_PATH, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .slice(0, count)
    .map((line) => JSON.parse(line) as HeldoutProblem);
}
