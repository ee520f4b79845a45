import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTask, taskNames } from '@attune/method-dept';
import { discoverRegistry, type Registry } from '@attune/registry';
import type { PromptTaskSource } from '../src/server/index.js';

/** The registry the CLI would discover from this checkout: every plugin package installed in the repo. */
export async function repoRegistry(): Promise<Registry> {
  const { registry, problems } = await discoverRegistry({
    from: [dirname(fileURLToPath(import.meta.url))],
    strict: false,
  });
  if (problems.length > 0) throw new Error(`plugin discovery problems: ${problems.join('; ')}`);
  return registry;
}

/** Reads a job's server-sent events until it ends. */
export async function readEvents(
  base: string,
  job: string,
): Promise<{ type: string; [k: string]: unknown }[]> {
  const response = await fetch(`${base}/api/jobs/${job}/events`);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { type: string });
}

/** @attune/method-dept's pinned tasks, as `attune serve` passes them. */
export const pinnedTasks: PromptTaskSource = {
  names: () => taskNames(),
  load: (name) => {
    const task = loadTask(name);
    return {
      name: task.name,
      train: task.splits.train,
      validation: task.splits.validation,
      labels: task.labels,
      maxLength: task.maxLength,
      majorityAccuracy: task.info.validation.majority_accuracy,
    };
  },
};
