import { describe, expect, it } from 'vitest';
import { formatTable, measure, summarize } from '../src/index.js';

describe('summarize', () => {
  it('gives numpy-style linear percentiles', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    expect(s.medianMs).toBe(3);
    expect(s.p95Ms).toBeCloseTo(4.8, 12);
    expect(s.minMs).toBe(1);
    expect(s.maxMs).toBe(5);
    expect(s.samplesMs).toEqual([5, 1, 4, 2, 3]);
  });
  it('refuses an empty sample', () => {
    expect(() => summarize([])).toThrow(/empty sample/);
  });
});

describe('measure', () => {
  it('calls warmup + runs times and records one sample per run', () => {
    let calls = 0;
    const s = measure(() => calls++, { warmup: 3, runs: 4 });
    expect(calls).toBe(7);
    expect(s.runs).toBe(4);
    expect(s.samplesMs.every((x) => x >= 0)).toBe(true);
  });
  it('rejects nonsense options with the value it got', () => {
    expect(() => measure(() => 0, { runs: 0 })).toThrow('runs must be an integer >= 1, got 0');
  });
});

describe('formatTable', () => {
  it('aligns columns and formats numbers', () => {
    expect(
      formatTable(
        ['a', 'value'],
        [
          ['x', 1.23456],
          ['longer', 250.04],
        ],
      ),
    ).toBe(
      ['| a      | value |', '| ------ | ----- |', '| x      | 1.23  |', '| longer | 250.0 |'].join('\n'),
    );
  });
});
