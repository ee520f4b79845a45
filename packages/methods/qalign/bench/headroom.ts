// What the selection methods could reach and how well the reward model ranks, from the same stored records:
// pass@N (some sample among the first N is correct: the ceiling of any rule that picks one of them), the
// chain's counterpart (some state among its N + 1 is correct), and the reward model's AUC between correct
// and incorrect samples, over all samples and within a problem (the ranking best-of-n actually uses).
import type { ChainRecord, SamplesRecord } from './jsonl-records.js';

export interface HeadroomRow {
  readonly n: number;
  /** Mean over problems of "some of the first n samples is correct". */
  readonly passAtN: number;
  /** Mean over problems of "some of the chain's first n + 1 states is correct". */
  readonly chainPassAtN: number | null;
}

export interface RewardRanking {
  /** AUC of reward for correct against incorrect samples, all samples pooled. */
  readonly pooledAuc: number;
  /** Mean over problems with both kinds of samples of the within-problem AUC. */
  readonly withinProblemAuc: number;
  /** Problems (× seeds) that have both correct and incorrect samples. */
  readonly mixedUnits: number;
  /** Share of samples that are correct. */
  readonly sampleAccuracy: number;
}

const mean = (xs: readonly number[]) =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, x) => a + x, 0) / xs.length;

/** P(score of a positive > score of a negative), ties counting one half, by ranking (O((p + q) log(p + q))). */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  const all = [
    ...positives.map((score) => ({ score, positive: true })),
    ...negatives.map((score) => ({ score, positive: false })),
  ].sort((a, b) => a.score - b.score);
  // Mann–Whitney U: sum of the positives' mid-ranks.
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.score === all[i]!.score) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.positive) rankSum += midRank;
    i = j;
  }
  const p = positives.length;
  return (rankSum - (p * (p + 1)) / 2) / (p * negatives.length);
}

export function headroom(
  samples: readonly SamplesRecord[],
  chains: readonly ChainRecord[],
  truth: ReadonlyMap<string, string>,
  ns: readonly number[],
): HeadroomRow[] {
  const hit = (answers: readonly (string | null)[], problem: string, count: number) =>
    answers.slice(0, count).some((a) => a !== null && a === truth.get(problem)) ? 1 : 0;
  return ns.map((n) => {
    const withSamples = samples.filter((r) => r.answers.length >= n);
    const withChain = chains.filter((r) => r.accepted.length >= n);
    return {
      n,
      passAtN: mean(withSamples.map((r) => hit(r.answers, r.problem, n))),
      chainPassAtN:
        withChain.length > 0 ? mean(withChain.map((r) => hit(r.answers, r.problem, n + 1))) : null,
    };
  });
}

/** How well the rewards of the stored samples separate correct from incorrect answers (NaN rewards left out). */
export function rewardRanking(
  samples: readonly SamplesRecord[],
  truth: ReadonlyMap<string, string>,
): RewardRanking {
  const pooled = { correct: [] as number[], wrong: [] as number[] };
  const within: number[] = [];
  let correctCount = 0;
  let total = 0;
  for (const r of samples) {
    const correct: number[] = [];
    const wrong: number[] = [];
    r.answers.forEach((a, i) => {
      const ok = a !== null && a === truth.get(r.problem);
      correctCount += ok ? 1 : 0;
      total += 1;
      const reward = r.rewards[i];
      if (reward === null || reward === undefined) return;
      (ok ? correct : wrong).push(reward);
    });
    pooled.correct.push(...correct);
    pooled.wrong.push(...wrong);
    if (correct.length > 0 && wrong.length > 0) within.push(auc(correct, wrong));
  }
  return {
    pooledAuc: auc(pooled.correct, pooled.wrong),
    withinProblemAuc: mean(within),
    mixedUnits: within.length,
    sampleAccuracy: total === 0 ? Number.NaN : correctCount / total,
  };
}
