// One expert-remix run (C3PO): the answer with the model's own routing and with the re-mixed one, the
// neighbours it was built from, and the routing at the re-mixed layers before and after.
import { isExpertRemixer } from './contracts.js';
import type { InstanceCache } from './instances.js';
import type { JobContext } from './jobs.js';

export interface RemixRunInput {
  readonly plugin: string;
  readonly config: Record<string, unknown>;
  readonly prompt: string;
  readonly options?: readonly string[];
  readonly seed: number;
}

export async function runRemixMethod(
  instances: InstanceCache,
  input: RemixRunInput,
  job: JobContext,
): Promise<Record<string, unknown>> {
  job.progress({ stage: `loading ${input.plugin}`, done: 0, total: 1 });
  const method = await instances.get(input.plugin, input.config);
  if (!isExpertRemixer(method)) throw new Error(`${input.plugin} provides expert-remix but has no answer()`);
  const result = await method.answer(
    { prompt: input.prompt, ...(input.options ? { options: input.options } : {}) },
    { seed: input.seed, onProgress: (event) => job.progress(event) },
  );
  return {
    contract: 'expert-remix',
    plugin: input.plugin,
    backend: method.backend,
    seed: input.seed,
    prompt: input.prompt,
    ...result,
  };
}
