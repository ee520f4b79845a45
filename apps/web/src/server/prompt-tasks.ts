// The labelled tasks a prompt tuner may be trained on from the browser. The web app reads no task files
// itself: whoever starts it passes a source (`attune serve` passes @attune/method-dept's pinned tasks), so
// training data is never a path a request can name.
import type { PromptTask } from '@attune/contracts';

export interface PinnedPromptTask extends PromptTask {
  /** s, the input length the task states (DePT pads to it). */
  readonly maxLength?: number;
  /** Majority-class accuracy of the validation split, shown beside the trained result. */
  readonly majorityAccuracy?: number;
  readonly source?: string;
}

export interface PromptTaskSource {
  names(): string[];
  load(name: string): PinnedPromptTask;
}

/** What GET /api/tasks shows of each task. */
export function describeTasks(source: PromptTaskSource | undefined) {
  if (!source) return [];
  return source.names().map((name) => {
    const task = source.load(name);
    return {
      name,
      labels: task.labels ?? [...new Set(task.train.map((e) => e.label))].sort(),
      train: task.train.length,
      validation: task.validation?.length ?? 0,
      majorityAccuracy: task.majorityAccuracy ?? null,
      source: task.source ?? null,
      example: task.train[0]?.input ?? null,
    };
  });
}
