// pass@N and the reward model's AUC, computed from benchmark records, against brute-force counts.
import { describe, expect, it } from 'vitest';
import { auc, headroom, rewardRanking } from '../bench/headroom.js';
import type { ChainRecord, SamplesRecord } from '../bench/jsonl-records.js';

/** P(positive > negative) + ½ P(tie) over all pairs: the definition the ranking formula must match. */
function aucByPairs(pos: readonly number[], neg: readonly number[]): number {
  let s = 0;
  for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

const samples = (problem: string, answers: (string | null)[], rewards: (number | null)[]): SamplesRecord => ({
  kind: 'samples',
  problem,
  seed: 0,
  answers,
  rewards,
  tokens: answers.map(() => 10),
  rewardTokens: answers.map(() => 20),
});

describe('auc', () => {
  it('equals the pairwise definition, ties counting one half', () => {
    let state = 7;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((state / 2 ** 31) * 6); // few distinct values: many ties
    };
    for (let trial = 0; trial < 20; trial++) {
      const pos = Array.from({ length: 1 + (trial % 7) }, next);
      const neg = Array.from({ length: 1 + ((trial * 3) % 5) }, next);
      expect(auc(pos, neg)).toBeCloseTo(aucByPairs(pos, neg), 12);
    }
  });

  it('is 1 for perfect separation, 0 for reversed, ½ for equal scores, NaN without one class', () => {
    expect(auc([3, 4], [1, 2])).toBe(1);
    expect(auc([1, 2], [3, 4])).toBe(0);
    expect(auc([1, 1], [1])).toBe(0.5);
    expect(auc([], [1])).toBeNaN();
  });
});

describe('headroom', () => {
  const truth = new Map([
    ['p1', '5'],
    ['p2', '7'],
  ]);
  const records = [
    samples('p1', ['4', '5', null, '5'], [1, 2, 0, 3]),
    samples('p2', ['1', '2', '3', '7'], [0, 1, 2, 3]),
  ];
  const chain: ChainRecord = {
    kind: 'chain',
    problem: 'p1',
    seed: 0,
    answers: ['4', '4', '5'],
    accepted: [0, 1],
    tokens: [10, 3, 4],
    rewardTokens: [20, 20, 20],
    nanRewards: 0,
  };

  it('counts a problem solved at N when any of its first N samples (N + 1 states) is right', () => {
    const rows = headroom(records, [chain], truth, [1, 2, 4]);
    expect(rows.map((r) => r.passAtN)).toEqual([0, 0.5, 1]);
    expect(rows.map((r) => r.chainPassAtN)).toEqual([0, 1, null]);
  });

  it('ranks correct against incorrect samples pooled and within a problem, leaving NaN rewards out', () => {
    const withNaN = [samples('p1', ['4', '5', null, '5'], [1, 2, null, 3]), records[1]!];
    const ranking = rewardRanking(withNaN, truth);
    expect(ranking.sampleAccuracy).toBe(3 / 8);
    // p1: correct {2, 3} vs wrong {1}: 1; p2: correct {3} vs wrong {0, 1, 2}: 1.
    expect(ranking.withinProblemAuc).toBe(1);
    expect(ranking.mixedUnits).toBe(2);
    expect(ranking.pooledAuc).toBeCloseTo(aucByPairs([2, 3, 3], [1, 0, 1, 2]), 12);
  });
});
