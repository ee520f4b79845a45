// One text-answer run (QAlign, best-of-n, majority votes, ...): the method's own progress events (chain
// steps, samples) stream to the browser; cancelling stops it at its next progress report.
import { isTextAnswerer } from './contracts.js';
import type { InstanceCache } from './instances.js';
import type { JobContext } from './jobs.js';

export interface TextRunInput {
  readonly plugin: string;
  readonly config: Record<string, unknown>;
  readonly prompt: string;
  readonly seed: number;
}

export async function runTextMethod(
  instances: InstanceCache,
  input: TextRunInput,
  job: JobContext,
): Promise<Record<string, unknown>> {
  job.progress({ stage: `loading ${input.plugin}`, done: 0, total: 1 });
  const method = await instances.get(input.plugin, input.config);
  if (!isTextAnswerer(method)) throw new Error(`${input.plugin} provides text-answer but has no solve()`);
  const result = await method.solve(
    { prompt: input.prompt },
    { seed: input.seed, onProgress: (event) => job.progress(event) },
  );
  return { contract: 'text-answer', plugin: input.plugin, seed: input.seed, prompt: input.prompt, ...result };
}
