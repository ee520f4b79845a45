import { describe, expect, it } from 'vitest';
import { selectConfidentViews, selectionCount, tf } from '../src/index.js';
import { readFixture } from './support/fixtures.js';
import { tensorsLeakedBy } from './support/leaks.js';

interface SelectionCase {
  shape: [number, number];
  logits: number[];
  fraction: number;
  selected: number[];
}
const fixture = readFixture<{
  tpt: SelectionCase;
  difftpt: SelectionCase;
  truncatedSizes: [number, number, number][];
}>('entropy.json');

describe('selectionCount', () => {
  it("truncates like Python's int(n * fraction)", () => {
    for (const [n, fraction, pythonInt] of fixture.truncatedSizes) {
      expect(selectionCount(n, fraction)).toBe(Math.max(1, pythonInt));
    }
    expect(selectionCount(64, 0.1)).toBe(6);
    expect(selectionCount(127, 0.8)).toBe(101);
    expect(selectionCount(102, 0.3)).toBe(30);
  });

  it('keeps at least one item', () => {
    expect(selectionCount(5, 0.1)).toBe(1);
  });

  it('rejects fractions outside (0, 1]', () => {
    for (const bad of [0, -0.1, 1.5, Number.NaN]) {
      expect(() => selectionCount(64, bad)).toThrow(`selection fraction must be in (0, 1], got ${bad}`);
    }
  });
});

describe('selectConfidentViews', () => {
  it('picks the same views as torch.sort(entropy) in TPT (64 views, 10%) and DiffTPT (127 views, 80%)', () => {
    for (const c of [fixture.tpt, fixture.difftpt]) {
      const logits = tf.tensor2d(c.logits, c.shape);
      const chosen = selectConfidentViews(logits, c.fraction);
      expect(chosen).toEqual(c.selected);
      logits.dispose();
    }
    expect(fixture.tpt.selected).toHaveLength(6);
    expect(fixture.difftpt.selected).toHaveLength(101);
  });

  it('orders by entropy, most confident first, and breaks ties by row order', () => {
    const logits = tf.tensor2d([
      [0, 0, 0], // uniform: highest entropy
      [5, 0, 0],
      [9, 0, 0], // most confident
      [0, 5, 0], // same entropy as row 1
    ]);
    expect(selectConfidentViews(logits, 1)).toEqual([2, 1, 3, 0]);
    expect(selectConfidentViews(logits, 0.5)).toEqual([2, 1]);
    logits.dispose();
  });

  it('rejects bad fractions, wrong ranks and NaN logits', () => {
    const logits = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expect(() => selectConfidentViews(logits, 0)).toThrow('selection fraction must be in (0, 1], got 0');
    expect(() => selectConfidentViews(logits, 1.01)).toThrow(
      'selection fraction must be in (0, 1], got 1.01',
    );
    const vector = tf.tensor1d([1, 2]);
    expect(() => selectConfidentViews(vector as unknown as tf.Tensor2D, 0.5)).toThrow(
      'expected logits tensor [N,C], got [2]',
    );
    const nan = tf.tensor2d([[1, Number.NaN]]);
    expect(() => selectConfidentViews(nan, 0.5)).toThrow('logits contain NaN at index [0,1]');
    tf.dispose([logits, vector, nan]);
  });

  it('leaks no tensors', () => {
    const logits = tf.tensor2d(fixture.tpt.logits, fixture.tpt.shape);
    expect(tensorsLeakedBy(() => selectConfidentViews(logits, 0.1))).toBe(0);
    logits.dispose();
  });
});
