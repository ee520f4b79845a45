import { describe, expect, it } from 'vitest';
import {
  CORRUPTION_FAMILIES,
  corrupt,
  corruptionFamily,
  DETERMINISTIC_CORRUPTIONS,
  datasetImage,
  getSuite,
  loadDataset,
  loadSample,
  loadSuite,
  makeSampleList,
  SUITE_NAMES,
} from '../src/index.js';

describe('embedded suites', () => {
  it.each(SUITE_NAMES)(
    '%s: the committed list is exactly what its recipe makes (run `pnpm make-lists`)',
    (name) => {
      const suite = getSuite(name);
      const committed = loadSuite(name);
      expect(committed).toEqual(makeSampleList(suite.recipe));
      expect(committed).toHaveLength(suite.samples);
    },
  );

  it('the short suite: 20 samples, one per class of both test sets, severity 5, all four families', () => {
    const list = loadSuite('mini-clip-corrupt-short');
    expect(list).toHaveLength(20);
    expect(new Set(list.map((e) => e.dataset))).toEqual(new Set(['mnist', 'fashion-mnist']));
    expect(new Set(list.map((e) => e.split))).toEqual(new Set(['test']));
    expect(new Set(list.map((e) => e.severity))).toEqual(new Set([5]));
    expect(new Set(list.map((e) => corruptionFamily(e.corruption)))).toEqual(
      new Set(Object.keys(CORRUPTION_FAMILIES)),
    );
  });

  it('the full suite: 15 corruptions × severity 5 × 2 datasets × 6 images', () => {
    const list = loadSuite('mini-clip-corrupt-full');
    expect(list).toHaveLength(180);
    expect(new Set(list.map((e) => `${e.dataset}:${e.index}`)).size).toBe(12);
    expect(new Set(list.map((e) => e.corruption)).size).toBe(15);
  });

  it('names the known suites when asked for an unknown one', () => {
    expect(() => getSuite('mini-clip-corrupt')).toThrow(
      'unknown suite "mini-clip-corrupt", expected one of mini-clip-corrupt-short, mini-clip-corrupt-full',
    );
  });
});

describe('loadSample', () => {
  // The first entry whose corruption draws random numbers, so its seed matters.
  const entry = loadSuite('mini-clip-corrupt-short').find(
    (e) => !DETERMINISTIC_CORRUPTIONS.has(e.corruption as never),
  )!;

  it("returns the entry's corrupted image and its label, deterministically", () => {
    const sample = loadSample(entry);
    const dataset = loadDataset(entry.dataset, entry.split);
    expect(sample.label).toBe(dataset.labels[entry.index]);
    expect(sample.className).toBe(dataset.classNames[sample.label]);
    expect(sample.classNames).toBe(dataset.classNames);
    const expected = corrupt(datasetImage(dataset, entry.index), entry.corruption, entry.severity, {
      seed: entry.seed,
    });
    expect(sample.image.data).toEqual(expected.data);
    expect(loadSample(entry).image.data).toEqual(sample.image.data);
    expect(loadSample({ ...entry, seed: entry.seed + 1 }).image.data).not.toEqual(sample.image.data);
  });

  it('returns the clean image for corruption "none"', () => {
    const clean = loadSample({ ...entry, corruption: 'none', severity: 0 });
    expect(clean.image.data).toEqual(datasetImage(loadDataset(entry.dataset, 'test'), entry.index).data);
  });

  it('reports an index outside the dataset', () => {
    expect(() => loadSample({ ...entry, index: 10000 })).toThrow(
      'index 10000 is out of range, expected an integer in 0..9999',
    );
  });
});
