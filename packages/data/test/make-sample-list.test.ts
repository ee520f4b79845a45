import { describe, expect, it } from 'vitest';
import { CORRUPTION_NAMES, loadDataset, makeSampleList } from '../src/index.js';

describe('makeSampleList', () => {
  const base = { datasets: ['mnist', 'fashion-mnist'], split: 'test', seed: 3 } as const;

  it('is deterministic and changes with the seed', () => {
    const options = { ...base, n: 5, corruptions: ['fog', 'none'], severities: [2, 4] } as const;
    expect(makeSampleList(options)).toEqual(makeSampleList(options));
    expect(makeSampleList({ ...options, seed: 4 })).not.toEqual(makeSampleList(options));
  });

  it('crosses images with corruptions × severities; "none" gets severity 0 once', () => {
    const list = makeSampleList({ ...base, n: 4, corruptions: ['fog', 'none'], severities: [2, 4] });
    expect(list).toHaveLength(2 * 4 * 3);
    const first = list.filter((e) => e.dataset === 'mnist' && e.index === list[0]!.index);
    expect(first.map((e) => `${e.corruption}/${e.severity}`)).toEqual(['fog/2', 'fog/4', 'none/0']);
    // Seeds come from what the sample is, so they are distinct across samples.
    expect(new Set(list.map((e) => e.seed)).size).toBe(list.length);
  });

  it('stratifies by class with perClass and deals corruptions evenly with pairing "cycle"', () => {
    const list = makeSampleList({
      ...base,
      perClass: 3,
      corruptions: 'all',
      severities: [5],
      pairing: 'cycle',
    });
    expect(list).toHaveLength(60);
    for (const dataset of base.datasets) {
      const labels = loadDataset(dataset, 'test').labels;
      const mine = list.filter((e) => e.dataset === dataset);
      const perClass = new Array(10).fill(0);
      for (const e of mine) perClass[labels[e.index]!]++;
      expect(perClass).toEqual(new Array(10).fill(3));
      const perCorruption = new Map<string, number>();
      for (const e of mine) perCorruption.set(e.corruption, (perCorruption.get(e.corruption) ?? 0) + 1);
      expect([...perCorruption.keys()].sort()).toEqual([...CORRUPTION_NAMES].sort());
      expect(new Set(perCorruption.values())).toEqual(new Set([2]));
      // Indices are sorted within a dataset, for readable lists.
      expect(mine.map((e) => e.index)).toEqual([...mine.map((e) => e.index)].sort((a, b) => a - b));
    }
  });

  it('rejects ambiguous or invalid options', () => {
    const ok = { ...base, corruptions: ['fog'], severities: [1] } as const;
    expect(() => makeSampleList({ ...ok })).toThrow('give exactly one of perClass (images per class) or n');
    expect(() => makeSampleList({ ...ok, n: 2, perClass: 1 })).toThrow('give exactly one of perClass');
    expect(() => makeSampleList({ ...ok, n: 0 })).toThrow('n must be an integer >= 1, got 0');
    expect(() => makeSampleList({ ...ok, n: 2, corruptions: ['haze' as 'fog'] })).toThrow(
      'unknown corruption "haze"',
    );
    expect(() => makeSampleList({ ...ok, n: 2, severities: [0] })).toThrow(
      'severity must be an integer in 1..5, got 0',
    );
    expect(() => makeSampleList({ ...ok, n: 20000 })).toThrow('n 20000 exceeds the 10000 images available');
  });
});
