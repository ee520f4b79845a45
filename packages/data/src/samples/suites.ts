import { fileURLToPath } from 'node:url';
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
}

function listPath(name: string): string {
  return fileURLToPath(new URL(`../../lists/${name}.tsv`, import.meta.url));
}

/** The embedded benchmark suites: MNIST and Fashion-MNIST test images under the 15 corruptions. */
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
