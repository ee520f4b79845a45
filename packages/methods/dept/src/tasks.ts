// The pinned text-to-text tasks shipped in tasks/ (built by scripts/build_tasks.py from real data): each has
// train/validation/test splits of {input, label} and a short set of label words.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabelledText } from '@attune/contracts';

export const TASKS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'tasks');

export type SplitName = 'train' | 'validation' | 'test';

export interface TaskSplitInfo {
  readonly examples: number;
  readonly per_label: Record<string, number>;
  readonly majority_accuracy: number;
}

export interface PinnedTask {
  readonly name: string;
  readonly labels: readonly string[];
  readonly source: string;
  readonly labelsMade: string;
  /** s for this task (about the 95th percentile of its input lengths in mini-LM tokens). */
  readonly maxLength: number;
  readonly splits: Readonly<Record<SplitName, readonly LabelledText[]>>;
  readonly info: Readonly<Record<SplitName, TaskSplitInfo>>;
}

/** The task names in tasks/. */
export function taskNames(dir = TASKS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /^[a-z0-9-]+\.json$/.test(f))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

function readJsonl(path: string): LabelledText[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const row = JSON.parse(line) as Partial<LabelledText>;
      if (typeof row.input !== 'string' || typeof row.label !== 'string') {
        throw new Error(`${path}:${i + 1}: expected {"input": string, "label": string}`);
      }
      return { input: row.input, label: row.label };
    });
}

/** A pinned task by name; an unknown name lists the known ones. */
export function loadTask(name: string, dir = TASKS_DIR): PinnedTask {
  const meta = join(dir, `${name}.json`);
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(meta)) {
    throw new Error(`unknown task "${name}"; the tasks are ${taskNames(dir).join(', ')} (in ${dir})`);
  }
  const info = JSON.parse(readFileSync(meta, 'utf8')) as {
    labels: string[];
    source: string;
    labels_made: string;
    max_length: number;
    splits: Record<SplitName, TaskSplitInfo>;
  };
  const splits = {
    train: readJsonl(join(dir, `${name}.train.jsonl`)),
    validation: readJsonl(join(dir, `${name}.validation.jsonl`)),
    test: readJsonl(join(dir, `${name}.test.jsonl`)),
  };
  return {
    name,
    labels: info.labels,
    source: info.source,
    labelsMade: info.labels_made,
    maxLength: info.max_length,
    splits,
    info: info.splits,
  };
}

/** Refuses examples whose label is not one of the label words (names the first few). */
export function checkLabels(
  examples: readonly LabelledText[],
  labels: readonly string[],
  where: string,
): void {
  const known = new Set(labels);
  const bad = examples.map((e, i) => [i, e.label] as const).filter(([, l]) => !known.has(l));
  if (bad.length > 0) {
    const list = bad
      .slice(0, 3)
      .map(([i, l]) => `#${i} "${l}"`)
      .join(', ');
    throw new Error(
      `${where}: ${bad.length} label${bad.length === 1 ? '' : 's'} outside the label words (${labels.join(', ')}): ${list}`,
    );
  }
}
