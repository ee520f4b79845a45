// Prompt-tuning runs (DePT, vanilla prompt tuning): predict with an adapter from an adapter root, or train
// one on a pinned task as a long job — loss, step and ETA stream as progress events, cancel stops it after
// the current step, and the adapter is written under the first adapter root so it can be used at once.
import { join } from 'node:path';
import type { TrainOptions } from '@attune/contracts';
import { isPromptTuner } from './contracts.js';
import type { InstanceCache } from './instances.js';
import type { JobContext } from './jobs.js';
import type { PinnedPromptTask } from './prompt-tasks.js';

export interface PredictRunInput {
  readonly plugin: string;
  readonly config: Record<string, unknown>;
  /** The adapter's real folder (already checked to be under an adapter root). */
  readonly adapterDir: string;
  /** How the request named it (relative to its root), echoed in the result. */
  readonly adapter: string;
  readonly text: string;
  readonly seed: number;
}

export interface TrainRunInput {
  readonly plugin: string;
  readonly config: Record<string, unknown>;
  readonly task: PinnedPromptTask;
  readonly seed: number;
  /** Where the trained adapter is written: [root, folder name under it]; none: kept in memory only. */
  readonly saveTo?: readonly [string, string];
}

/** A step report some tuners give besides the contract's onProgress (DePT's onStep): the loss to plot. */
interface StepReport {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly ms: number;
}

async function tunerOf(instances: InstanceCache, plugin: string, config: Record<string, unknown>) {
  const method = await instances.get(plugin, config);
  if (!isPromptTuner(method)) throw new Error(`${plugin} provides prompt-tuning but has no train/predict`);
  return method;
}

export async function runTunerPredict(
  instances: InstanceCache,
  input: PredictRunInput,
  job: JobContext,
): Promise<Record<string, unknown>> {
  job.progress({ stage: `loading ${input.plugin}`, done: 0, total: 2 });
  const tuner = await tunerOf(instances, input.plugin, input.config);
  job.progress({ stage: 'loading the adapter', done: 1, total: 2 });
  try {
    await tuner.loadAdapter(input.adapterDir);
  } catch (error) {
    // Name the adapter as the request did: the server's own folders stay out of its answers.
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`adapter "${input.adapter}": ${message.split(input.adapterDir).join(input.adapter)}`);
  }
  const out = await tuner.predict(input.text, { seed: input.seed });
  return {
    contract: 'prompt-tuning',
    action: 'predict',
    plugin: input.plugin,
    variant: tuner.variant,
    backend: tuner.backend,
    adapter: input.adapter,
    text: input.text,
    ...out,
  };
}

export async function runTunerTrain(
  instances: InstanceCache,
  input: TrainRunInput,
  job: JobContext,
): Promise<Record<string, unknown>> {
  job.progress({ stage: `loading ${input.plugin}`, done: 0, total: 1 });
  const tuner = await tunerOf(instances, input.plugin, input.config);
  const started = performance.now();
  let first: number | undefined;
  // Every step is a progress report: a cancelled job throws there, and training stops after that step.
  const options: TrainOptions & { onStep: (info: StepReport) => void } = {
    seed: input.seed,
    // A tuner that reports steps (with their loss) has its plain step counts skipped, not shown twice.
    onProgress: (event) => {
      if (first === undefined || event.stage !== 'train') job.progress(event);
    },
    onStep: (info) => {
      first ??= info.step - 1;
      const elapsed = performance.now() - started;
      const done = info.step - first;
      const etaMs = (elapsed / done) * (info.steps - info.step);
      job.progress(
        { stage: 'training', done: info.step, total: info.steps },
        { loss: info.loss, msPerStep: info.ms, etaMs: Math.round(etaMs) },
      );
    },
  };
  const { maxLength, majorityAccuracy, ...task } = input.task;
  const report = await tuner.train({ ...task, ...(maxLength !== undefined ? { maxLength } : {}) }, options);
  let saved: string | null = null;
  if (input.saveTo) {
    job.progress({ stage: 'saving the adapter', done: report.steps, total: report.steps });
    await tuner.saveAdapter(join(...input.saveTo));
    saved = input.saveTo[1];
  }
  return {
    contract: 'prompt-tuning',
    action: 'train',
    plugin: input.plugin,
    variant: tuner.variant,
    backend: tuner.backend,
    task: task.name,
    labels: task.labels ?? [],
    majorityAccuracy: majorityAccuracy ?? null,
    adapter: saved,
    ...report,
  };
}
