// How well a method's scorer (a reward model) separates its correct candidates from its wrong ones, from the
// candidates the suite reports (SampleOutcome.candidates): the AUC pooled over every candidate of every
// (sample, seed), and the mean of the AUCs within each (sample, seed) that has both kinds — the ranking that
// best-of-n relies on. As QAlign's former report measured it: candidates without a score are left out of
// the AUCs but counted in the candidate accuracy.
import type { BenchRecord } from './records.js';

export interface RankingStat {
  /** AUC of the score, correct against wrong candidates, all candidates pooled; null without both kinds. */
  readonly pooledAuc: number | null;
  /** Mean over (sample, seed) units with both kinds of the within-unit AUC; null without such a unit. */
  readonly withinSampleAuc: number | null;
  /** (sample, seed) units with both correct and wrong scored candidates. */
  readonly mixedUnits: number;
  /** Candidates over all records, and the share of them that is correct. */
  readonly candidates: number;
  readonly candidateAccuracy: number;
}

/** P(score of a positive > score of a negative), ties counting one half (Mann–Whitney U with mid-ranks). */
export function auc(positives: readonly number[], negatives: readonly number[]): number | null {
  if (positives.length === 0 || negatives.length === 0) return null;
  const all = [
    ...positives.map((score) => ({ score, positive: true })),
    ...negatives.map((score) => ({ score, positive: false })),
  ].sort((a, b) => a.score - b.score);
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

/** The ranking figures of one method's records; undefined when none of them carries scored candidates. */
export function rankingStat(records: readonly BenchRecord[]): RankingStat | undefined {
  const scored = records.filter((r) => r.candidates?.scores !== undefined);
  if (scored.length === 0) return undefined;
  const pooled = { correct: [] as number[], wrong: [] as number[] };
  const within: number[] = [];
  let candidates = 0;
  let correctCount = 0;
  for (const r of scored) {
    const { correct, scores } = r.candidates!;
    const mine = { correct: [] as number[], wrong: [] as number[] };
    correct.forEach((ok, i) => {
      candidates++;
      if (ok) correctCount++;
      const score = scores![i];
      if (score === null || score === undefined) return;
      (ok ? mine.correct : mine.wrong).push(score);
    });
    pooled.correct.push(...mine.correct);
    pooled.wrong.push(...mine.wrong);
    const unit = auc(mine.correct, mine.wrong);
    if (unit !== null) within.push(unit);
  }
  return {
    pooledAuc: auc(pooled.correct, pooled.wrong),
    withinSampleAuc: within.length === 0 ? null : within.reduce((a, b) => a + b, 0) / within.length,
    mixedUnits: within.length,
    candidates,
    candidateAccuracy: correctCount / candidates,
  };
}
