import {
  CORRUPTION_NAMES,
  type CorruptionName,
  checkCorruptionName,
  checkSeverity,
  type Severity,
} from '../corruptions/corrupt.js';
import { checkSeed, createRng, type Rng, seedFor } from '../random.js';
import { type DatasetName, loadDataset } from '../readers/datasets.js';
import type { Split } from '../readers/labelled-idx.js';
import { isRenditionName, type RenditionName } from '../renditions/rendition.js';
import { NO_CORRUPTION, type SampleEntry } from './sample-list.js';

export interface MakeSampleListOptions {
  readonly datasets: readonly DatasetName[];
  readonly split: Split;
  /** Images per class per dataset (stratified). Give this or `n`. */
  readonly perClass?: number;
  /** Images per dataset, drawn uniformly without replacement. Give this or `perClass`. */
  readonly n?: number;
  /**
   * Corruption or rendition names, "none" for the clean image, or 'all' for the 15 corruptions. The
   * renditions (renditions/rendition.ts) take the same severities 1..5.
   */
  readonly corruptions: readonly (CorruptionName | RenditionName | typeof NO_CORRUPTION)[] | 'all';
  /** Severities for the corruptions (ignored for "none", which is severity 0). */
  readonly severities: readonly number[];
  readonly seed: number;
  /**
   * 'cross' (default): every image with every corruption × severity. 'cycle': each image gets one
   * corruption × severity, dealt round-robin over a seeded shuffle of the images (continuing from one
   * dataset to the next), so every corruption appears equally often (±1) and across classes.
   */
  readonly pairing?: 'cross' | 'cycle';
}

/** Picks image indices of one dataset, sorted ascending; deterministic given the seed. */
function selectIndices(
  labels: Uint8Array,
  classes: number,
  rng: Rng,
  perClass?: number,
  n?: number,
): number[] {
  if (perClass !== undefined) {
    const picked: number[] = [];
    for (let label = 0; label < classes; label++) {
      const pool: number[] = [];
      labels.forEach((l, i) => {
        if (l === label) pool.push(i);
      });
      if (pool.length < perClass)
        throw new Error(`class ${label} has ${pool.length} images, fewer than perClass ${perClass}`);
      picked.push(...rng.shuffle(pool).slice(0, perClass));
    }
    return picked.sort((a, b) => a - b);
  }
  const all = Array.from({ length: labels.length }, (_, i) => i);
  if (n! > all.length) throw new Error(`n ${n} exceeds the ${all.length} images available`);
  return rng
    .shuffle(all)
    .slice(0, n)
    .sort((a, b) => a - b);
}

/**
 * Builds a pinned sample list. Deterministic: the same options give the same list; each entry's seed is
 * `seedFor(list seed, dataset, split, index, corruption, severity)`, so it never depends on list order.
 */
export function makeSampleList(options: MakeSampleListOptions): SampleEntry[] {
  const { datasets, split, perClass, n, severities, seed, pairing = 'cross' } = options;
  if ((perClass === undefined) === (n === undefined)) {
    throw new Error(
      'makeSampleList: give exactly one of perClass (images per class) or n (images per dataset)',
    );
  }
  for (const [name, value] of [
    ['perClass', perClass],
    ['n', n],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new Error(`makeSampleList: ${name} must be an integer >= 1, got ${value}`);
    }
  }
  if (datasets.length === 0) throw new Error('makeSampleList: expected at least one dataset');
  checkSeed(seed);
  const corruptions = options.corruptions === 'all' ? CORRUPTION_NAMES : options.corruptions;
  const combos: [CorruptionName | RenditionName | typeof NO_CORRUPTION, Severity | 0][] = [];
  for (const corruption of corruptions) {
    if (corruption === NO_CORRUPTION) {
      combos.push([NO_CORRUPTION, 0]);
      continue;
    }
    if (!isRenditionName(corruption)) checkCorruptionName(corruption);
    if (severities.length === 0) throw new Error('makeSampleList: expected at least one severity');
    for (const severity of severities) {
      checkSeverity(severity);
      combos.push([corruption, severity]);
    }
  }
  if (combos.length === 0) throw new Error('makeSampleList: expected at least one corruption (or "none")');

  const entries: SampleEntry[] = [];
  let dealt = 0;
  for (const dataset of datasets) {
    const data = loadDataset(dataset, split);
    const rng = createRng(seed).fork(dataset).fork(split);
    const indices = selectIndices(data.labels, data.classNames.length, rng, perClass, n);
    const assigned: [number, (typeof combos)[number]][] = [];
    if (pairing === 'cross') {
      for (const index of indices) for (const combo of combos) assigned.push([index, combo]);
    } else if (pairing === 'cycle') {
      // The deal continues across datasets, so a short list still covers every corruption.
      rng.shuffle(indices).forEach((index, k) => {
        assigned.push([index, combos[(dealt + k) % combos.length]!]);
      });
      dealt += indices.length;
      assigned.sort((a, b) => a[0] - b[0]);
    } else {
      throw new Error(`makeSampleList: pairing must be 'cross' or 'cycle', got ${pairing as string}`);
    }
    for (const [index, [corruption, severity]] of assigned) {
      entries.push({
        dataset,
        split,
        index,
        corruption,
        severity,
        seed: seedFor(seed, dataset, split, index, corruption, severity),
      });
    }
  }
  return entries;
}
