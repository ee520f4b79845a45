// Answers at growing budgets from one call's outputs: the prefix votes of the benchmark's
// accuracy-versus-compute curves (the vote functions take a prefix length n).
import type { CurvePoint } from '@attune/contracts';
import { type Answer, bestOfN, majorityVote, weightedMajorityVote } from './votes.js';

/** 1, 2, 4, ... up to max (max itself included when it is not a power of two). */
export function powersOfTwo(max: number): number[] {
  const ns: number[] = [];
  for (let n = 1; n <= max; n *= 2) ns.push(n);
  if (ns[ns.length - 1] !== max) ns.push(max);
  return ns;
}

const prefixSum = (xs: readonly number[], n: number) => {
  let s = 0;
  for (let i = 0; i < n && i < xs.length; i++) s += xs[i]!;
  return s;
};

/** 2 · parameters per token of each model (the FLOPs of reading or writing one token). */
export interface FlopsPerToken {
  readonly lm: number;
  readonly reward: number;
}

/**
 * The curve of a vote over n samples: best-of-n, majority vote or weighted majority vote (β) of the first
 * n samples, for n = 1, 2, 4, … up to all of them. FLOPs count the first n samples' tokens (and their
 * reward-model reads when the rule uses rewards).
 */
export function sampleVoteCurve(
  strategy: 'best-of-n' | 'majority-vote' | 'weighted-majority-vote',
  samples: {
    answers: readonly Answer[];
    rewards?: readonly number[];
    tokens: readonly number[];
    rewardTokens?: readonly number[];
  },
  flopsPerToken: FlopsPerToken,
  betaWmv = 1,
): CurvePoint[] {
  return powersOfTwo(samples.answers.length).map((n) => {
    const vote =
      strategy === 'best-of-n'
        ? bestOfN(samples.answers, samples.rewards!, n)
        : strategy === 'weighted-majority-vote'
          ? weightedMajorityVote(samples.answers, samples.rewards!, betaWmv, n)
          : majorityVote(samples.answers, n);
    const rewardTokens = strategy === 'majority-vote' ? 0 : prefixSum(samples.rewardTokens ?? [], n);
    return {
      budget: n,
      answer: vote.answer ?? null,
      flops: flopsPerToken.lm * prefixSum(samples.tokens, n) + flopsPerToken.reward * rewardTokens,
      candidates: n,
    };
  });
}

/**
 * The curve of a chain: after n steps, the majority vote over its n + 1 states (y0 and repeats included),
 * for n = 1, 2, 4, … up to the steps run; FLOPs count the tokens generated and read by the reward model
 * up to step n (y0's included).
 */
export function chainCurve(
  stateAnswers: readonly Answer[],
  generatedTokens: readonly number[],
  rewardTokens: readonly number[],
  flopsPerToken: FlopsPerToken,
): CurvePoint[] {
  const steps = stateAnswers.length - 1;
  if (steps < 1) return [];
  return powersOfTwo(steps).map((n) => ({
    budget: n,
    answer: majorityVote(stateAnswers, n + 1).answer ?? null,
    flops:
      flopsPerToken.lm * prefixSum(generatedTokens, n + 1) +
      flopsPerToken.reward * prefixSum(rewardTokens, n + 1),
    candidates: n + 1,
  }));
}
