import { corrupt } from '../corruptions/corrupt.js';
import type { FloatImage } from '../image.js';
import { DATASET_NAMES, type DatasetName, loadDataset } from '../readers/datasets.js';
import { datasetImage } from '../readers/labelled-idx.js';
import { isRenditionName, render } from '../renditions/rendition.js';
import { NO_CORRUPTION, type SampleEntry } from './sample-list.js';

export interface LoadedSample {
  readonly entry: SampleEntry;
  /** The (corrupted) image, one channel, float in [0,1]. */
  readonly image: FloatImage;
  readonly label: number;
  readonly className: string;
  /** The class names of the label space, in label order (what a zero-shot classifier prompts with). */
  readonly classNames: readonly string[];
}

/**
 * Which classes a sample is classified among: 'dataset' (its own dataset's 10), or 'joint' (all datasets'
 * classes together, in DATASET_NAMES order: MNIST digits 0-9, then Fashion-MNIST 10-19 — the 20-way
 * setting, where STS's spectral rank has more than one direction to steer).
 */
export type LabelSpace = 'dataset' | 'joint';
export const LABEL_SPACES: readonly LabelSpace[] = ['dataset', 'joint'];

export interface LoadSampleOptions {
  readonly labelSpace?: LabelSpace;
}

/** The joint label space: every dataset's class names, concatenated, and where each dataset starts. */
export function jointClassNames(): { classNames: string[]; offsets: Record<DatasetName, number> } {
  const classNames: string[] = [];
  const offsets = {} as Record<DatasetName, number>;
  for (const name of DATASET_NAMES) {
    offsets[name] = classNames.length;
    classNames.push(...loadDataset(name, 'test').classNames);
  }
  return { classNames, offsets };
}

/**
 * Loads a sample list entry: the dataset image, corrupted (or rendered) with the entry's corruption,
 * severity and seed, labelled in the label space asked for (default: its own dataset's).
 */
export function loadSample(entry: SampleEntry, options: LoadSampleOptions = {}): LoadedSample {
  const labelSpace = options.labelSpace ?? 'dataset';
  if (!LABEL_SPACES.includes(labelSpace)) {
    throw new Error(`unknown label space "${labelSpace}", expected one of ${LABEL_SPACES.join(', ')}`);
  }
  const dataset = loadDataset(entry.dataset, entry.split);
  const clean = datasetImage(dataset, entry.index);
  const image =
    entry.corruption === NO_CORRUPTION
      ? clean
      : isRenditionName(entry.corruption)
        ? render(clean, entry.corruption, entry.severity, { seed: entry.seed })
        : corrupt(clean, entry.corruption, entry.severity, { seed: entry.seed });
  const own = dataset.labels[entry.index]!;
  const className = dataset.classNames[own]!;
  if (labelSpace === 'dataset')
    return { entry, image, label: own, className, classNames: dataset.classNames };
  const joint = jointClassNames();
  return { entry, image, label: joint.offsets[entry.dataset] + own, className, classNames: joint.classNames };
}
