import { describe, expect, it } from 'vitest';
import {
  answerMatch,
  argmaxReward,
  bestOfN,
  majorityVote,
  mbrSelect,
  rouge1,
  softmaxWeights,
  weightedMajorityVote,
} from '../src/votes.js';

const answers = ['4', '7', '7', undefined, '4', '4', '9'];
const rewards = [0.1, 2.0, 1.9, 5.0, -1, -1, 3.0];

describe('majority vote', () => {
  it('counts answers; "no answer" is a candidate; weights are shares', () => {
    const vote = majorityVote(answers);
    expect(vote.answer).toBe('4');
    expect(vote.index).toBe(0);
    expect(vote.votes).toEqual([
      { answer: '4', count: 3, weight: 3 / 7 },
      { answer: '7', count: 2, weight: 2 / 7 },
      { answer: null, count: 1, weight: 1 / 7 },
      { answer: '9', count: 1, weight: 1 / 7 },
    ]);
  });

  it('looks only at the first n; ties go to the answer seen first', () => {
    expect(majorityVote(answers, 1).answer).toBe('4');
    expect(majorityVote(answers, 3).answer).toBe('7');
    expect(majorityVote(['7', '4', '4', '7'], 4).answer).toBe('7');
    expect(majorityVote([undefined, undefined, '3']).answer).toBeUndefined();
    expect(() => majorityVote(answers, 8)).toThrow(/n = 8 but only 7/);
    expect(() => majorityVote(answers, 0)).toThrow(/n must be an integer >= 1/);
  });
});

describe('weighted majority vote', () => {
  it('sums softmax(r/\u03b2) per answer', () => {
    const w = softmaxWeights(rewards, 1);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const vote = weightedMajorityVote(answers, rewards, 1);
    // The NaN-free softmax puts most mass on the reward-5 output, which has no answer.
    expect(vote.answer).toBeUndefined();
    expect(vote.votes[0]!.weight).toBeCloseTo(w[3]!, 12);
    const seven = vote.votes.find((v) => v.answer === '7')!;
    expect(seven.weight).toBeCloseTo(w[1]! + w[2]!, 12);
    expect(seven.count).toBe(2);
  });

  it('a large \u03b2 tends to majority vote, a small one to best-of-n', () => {
    expect(weightedMajorityVote(answers, rewards, 1e6).answer).toBe('4');
    expect(weightedMajorityVote(answers, rewards, 1e-3, 3).answer).toBe('7');
  });

  it('NaN rewards get weight 0; all NaN gives uniform weights', () => {
    const w = softmaxWeights([Number.NaN, 0, 0], 1);
    expect(w).toEqual([0, 0.5, 0.5]);
    expect(softmaxWeights([Number.NaN, Number.NaN], 1)).toEqual([0.5, 0.5]);
    expect(weightedMajorityVote(['1', '2', '2'], [Number.NaN, Number.NaN, Number.NaN], 1).answer).toBe('2');
    expect(() => softmaxWeights([1], 0)).toThrow(/beta must be > 0/);
  });
});

describe('best-of-n', () => {
  it('takes the highest reward among the first n, the first on ties, never a NaN', () => {
    expect(bestOfN(answers, rewards).answer).toBeUndefined();
    expect(bestOfN(answers, rewards).index).toBe(3);
    expect(bestOfN(answers, rewards, 3)).toMatchObject({ answer: '7', index: 1 });
    expect(argmaxReward([1, 3, 3])).toBe(1);
    expect(argmaxReward([Number.NaN, -5])).toBe(1);
    expect(argmaxReward([Number.NaN, Number.NaN])).toBe(0);
    expect(bestOfN(answers, rewards, 3).votes[0]!.answer).toBe('7');
  });
});

describe('MBR', () => {
  it('with answer match equals majority vote (first on ties)', () => {
    const pick = mbrSelect(answers, answerMatch, undefined, (a) => a ?? '\u0000');
    expect(answers[pick]).toBe('4');
  });

  it('ROUGE-1 F1 over tokens picks the most central output', () => {
    expect(rouge1([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(rouge1([1, 1, 2], [1, 3])).toBeCloseTo((2 * 0.5 * (1 / 3)) / (0.5 + 1 / 3), 12);
    expect(rouge1([], [1])).toBe(0);
    const outputs = [
      [1, 2, 3, 4],
      [1, 2, 3, 5],
      [9, 9, 9],
      [1, 2, 3, 4],
    ];
    expect(mbrSelect(outputs, rouge1)).toBe(0);
    expect(mbrSelect(outputs, rouge1, 3)).toBe(0);
    expect(mbrSelect(outputs, rouge1, 1)).toBe(0);
  });
});
