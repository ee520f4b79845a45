import { corrupt } from '../corruptions/corrupt.js';
import type { FloatImage } from '../image.js';
import { loadDataset } from '../readers/datasets.js';
import { datasetImage } from '../readers/labelled-idx.js';
import { NO_CORRUPTION, type SampleEntry } from './sample-list.js';

export interface LoadedSample {
  readonly entry: SampleEntry;
  /** The (corrupted) image, one channel, float in [0,1]. */
  readonly image: FloatImage;
  readonly label: number;
  readonly className: string;
  /** The dataset's class names, in label order (what a zero-shot classifier prompts with). */
  readonly classNames: readonly string[];
}

/** Loads a sample list entry: the dataset image, corrupted with the entry's corruption, severity and seed. */
export function loadSample(entry: SampleEntry): LoadedSample {
  const dataset = loadDataset(entry.dataset, entry.split);
  const clean = datasetImage(dataset, entry.index);
  const image =
    entry.corruption === NO_CORRUPTION
      ? clean
      : corrupt(clean, entry.corruption, entry.severity, { seed: entry.seed });
  const label = dataset.labels[entry.index]!;
  return { entry, image, label, className: dataset.classNames[label]!, classNames: dataset.classNames };
}
