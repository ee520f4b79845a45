import { fileURLToPath } from 'node:url';
import { RENDITION_NAMES } from '../renditions/rendition.js';
import type { LabelSpace } from './load-sample.js';
import type { MakeSampleListOptions } from './make-sample-list.js';
import { readSampleList, type SampleEntry } from './sample-list.js';

export interface SuiteDescriptor {
  readonly name: string;
  readonly description: string;
  /** Absolute path of the committed, pinned list (packages/data/lists/<name>.tsv). */
  readonly listPath: string;
  /** How the list was made; `pnpm make-lists` regenerates it, a test checks the file still matches. */
  readonly recipe: MakeSampleListOptions;
  readonly samples: number;
  /** Which classes a sample is classified among (default 'dataset': its own dataset's 10). */
  readonly labelSpace?: LabelSpace;
}

function listPath(name: string): string {
  return fileURLToPath(new URL(`../../lists/${name}.tsv`, import.meta.url));
}

/**
 * The embedded benchmark suites: MNIST and Fashion-MNIST test images under the 15 corruptions (10-way per
 * dataset), and under natural-style renditions (20-way over both datasets).
 */
export const SUITES = {
  'mini-clip-corrupt-short': {
    name: 'mini-clip-corrupt-short',
    description:
      'Quick check (about 5 minutes for the 6 CLIP methods × 3 seeds on 2 cores): 20 test images, 1 per class ' +
      'of MNIST and Fashion-MNIST, each under one corruption at severity 5, the 15 corruptions dealt in turn.',
    listPath: listPath('mini-clip-corrupt-short'),
    recipe: {
      datasets: ['mnist', 'fashion-mnist'],
      split: 'test',
      perClass: 1,
      corruptions: 'all',
      severities: [5],
      seed: 0,
      pairing: 'cycle',
    },
    samples: 20,
  },
  'mini-clip-corrupt-full': {
    name: 'mini-clip-corrupt-full',
    description:
      'Full run (well under an hour for the 6 CLIP methods × 3 seeds on 2 cores): 6 test images per dataset ' +
      '(drawn uniformly from MNIST and Fashion-MNIST), each under all 15 corruptions at severity 5 (180 samples).',
    listPath: listPath('mini-clip-corrupt-full'),
    recipe: {
      datasets: ['mnist', 'fashion-mnist'],
      split: 'test',
      n: 6,
      corruptions: 'all',
      severities: [5],
      seed: 1,
      pairing: 'cross',
    },
    samples: 180,
  },
  'shift-short': {
    name: 'shift-short',
    description:
      'Natural-style shifts, 20-way (the main job: about 5 minutes for the 6 CLIP methods × 3 seeds on 2 cores): ' +
      '12 test images per dataset (drawn uniformly from MNIST and Fashion-MNIST), each classified among all 20 ' +
      'classes of both datasets under one of the 8 renditions (sketch, inverted, stylised, thick, thin, zoom_out, ' +
      'zoom_in, translate) at severity 3, dealt in turn (24 samples).',
    listPath: listPath('shift-short'),
    recipe: {
      datasets: ['mnist', 'fashion-mnist'],
      split: 'test',
      n: 12,
      corruptions: RENDITION_NAMES,
      severities: [3],
      seed: 2,
      pairing: 'cycle',
    },
    samples: 24,
    labelSpace: 'joint',
  },
  'shift-full': {
    name: 'shift-full',
    description:
      'Natural-style shifts, 20-way, full run: 12 test images per dataset (drawn uniformly from MNIST and ' +
      'Fashion-MNIST), each under all 8 renditions (sketch, inverted, stylised; thick, thin; zoom_out, zoom_in, ' +
      'translate) at severity 3, classified among all 20 classes of both datasets (192 samples).',
    listPath: listPath('shift-full'),
    recipe: {
      datasets: ['mnist', 'fashion-mnist'],
      split: 'test',
      n: 12,
      corruptions: RENDITION_NAMES,
      severities: [3],
      seed: 3,
      pairing: 'cross',
    },
    samples: 192,
    labelSpace: 'joint',
  },
} as const satisfies Record<string, SuiteDescriptor>;

export type SuiteName = keyof typeof SUITES;
export const SUITE_NAMES = Object.keys(SUITES) as SuiteName[];

/** The descriptor of an embedded suite; an unknown name lists the known ones. */
export function getSuite(name: string): SuiteDescriptor {
  if (!Object.hasOwn(SUITES, name)) {
    throw new Error(`unknown suite "${name}", expected one of ${SUITE_NAMES.join(', ')}`);
  }
  return SUITES[name as SuiteName];
}

/** Reads an embedded suite's pinned sample list. */
export function loadSuite(name: string): SampleEntry[] {
  return readSampleList(getSuite(name).listPath);
}
