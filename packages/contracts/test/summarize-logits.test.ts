import { describe, expect, it } from 'vitest';
import { summarizeLogits } from '../src/index.js';

describe('summarizeLogits', () => {
  it('gives softmax probabilities, the argmax and the top 5 in order', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const logits = [1, 3, 2, 0, -1, 3 - Math.log(2)];
    const r = summarizeLogits(logits, names);
    const z = logits.reduce((s, v) => s + Math.exp(v), 0);
    r.probs.forEach((p, i) => {
      expect(p).toBeCloseTo(Math.exp(logits[i]!) / z, 12);
    });
    expect(r.index).toBe(1);
    expect(r.prediction).toBe('b');
    expect(r.top5.map((t) => t.label)).toEqual(['b', 'f', 'c', 'a', 'd']);
    expect(r.top5[1]!.prob).toBeCloseTo(r.top5[0]!.prob / 2, 12);
  });

  it('is stable for large logits and names mismatched lengths', () => {
    const r = summarizeLogits([1000, 999], ['x', 'y']);
    expect(r.probs[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(() => summarizeLogits([1, 2], ['x'])).toThrow('expected 1 logits (one per class), got 2');
    expect(() => summarizeLogits([Number.NaN], ['x'])).toThrow('logits must be finite');
  });
});
