/**
 * The hook for metrics under corruptions. The recipes cannot compute them: the corruption suite lives in
 * @attune/data (TypeScript). A benchmark that runs a zoo model on corrupted test images records its
 * accuracies here, in card.metrics.corruptions, next to the clean numbers the recipe wrote. card.json is not
 * covered by the sha256 list, so recording metrics never invalidates a model.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cardProblems, type ModelCard } from './card.js';
import { InvalidModelConfigError, ZooError } from './errors.js';

export interface CorruptionMetric {
  /** Corruption name as @attune/data spells it, e.g. 'gaussian_noise'. */
  readonly corruption: string;
  /** 1..5 (ImageNet-C severities). */
  readonly severity: number;
  /** Dataset key as in card.metrics, e.g. 'mnist' or 'fashion_mnist'. */
  readonly dataset: string;
  /** Prompting, e.g. 'single_template' or 'ensemble'. */
  readonly prompt: string;
  readonly top1: number;
  readonly images: number;
}

export interface CorruptionMetrics {
  /** Who produced the numbers, e.g. '@attune/bench zoo-corruptions'. */
  readonly source: string;
  readonly date: string;
  readonly results: readonly CorruptionMetric[];
}

function checkMetric(m: CorruptionMetric, i: number): void {
  const where = `results[${i}]`;
  if (!/^[a-z_]+$/.test(m.corruption)) {
    throw new ZooError(
      `${where}.corruption must be a snake_case corruption name, got ${JSON.stringify(m.corruption)}`,
    );
  }
  if (!Number.isInteger(m.severity) || m.severity < 1 || m.severity > 5) {
    throw new ZooError(`${where}.severity must be an integer 1..5, got ${m.severity}`);
  }
  if (!(m.top1 >= 0 && m.top1 <= 1)) {
    throw new ZooError(`${where}.top1 must be a fraction in [0, 1], got ${m.top1}`);
  }
  if (!Number.isInteger(m.images) || m.images <= 0) {
    throw new ZooError(`${where}.images must be a positive integer, got ${m.images}`);
  }
}

/** A copy of `card` with metrics.corruptions replaced by `metrics` (validated). */
export function withCorruptionMetrics(card: ModelCard, metrics: CorruptionMetrics): ModelCard {
  metrics.results.forEach(checkMetric);
  return { ...card, metrics: { ...card.metrics, corruptions: metrics } };
}

/** Record corruption metrics in a model folder's card.json. */
export async function writeCorruptionMetrics(
  modelDir: string,
  metrics: CorruptionMetrics,
): Promise<ModelCard> {
  const path = join(modelDir, 'card.json');
  const card = JSON.parse(await readFile(path, 'utf8')) as ModelCard;
  const problems = cardProblems(card);
  if (problems.length > 0) throw new InvalidModelConfigError(path, problems.join('; '));
  const updated = withCorruptionMetrics(card, metrics);
  await writeFile(path, `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}
