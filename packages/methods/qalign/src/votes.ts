// How a set of outputs becomes one answer, as pure functions over arrays, so a benchmark computes the whole
// accuracy-vs-n curve (n = 1..N) from one set of N samples: every function takes `n` and looks only at the
// first n items. Same rules as the official QAlign evaluation (github.com/goncalorafaria/qalign,
// qalign/utils/pred.py and qalign/utils/mbr.py):
// - an output without an answer votes for "no answer" (Python's None is a key of its Counter), so a set of
//   outputs that mostly has no answer answers nothing;
// - ties go to the answer seen first (Counter.most_common and max(dict) keep insertion order; np.argmax
//   takes the first maximum).
// A NaN reward (a broken reward model output) gets weight 0 in weighted votes and is never best-of-n's pick.
import type { VoteCount } from '@attune/contracts';

/** An extracted answer; undefined = the output has none. */
export type Answer = string | undefined;

export interface VoteResult {
  /** The winning answer, undefined for "no answer" (or no outputs). */
  readonly answer: Answer;
  /** The position (< n) of the first output with the winning answer, -1 for no outputs. */
  readonly index: number;
  /** Every answer with its count and weight, the winner first, then by weight, ties by first appearance. */
  readonly votes: VoteCount[];
}

function prefixLength(length: number, n: number | undefined): number {
  if (n === undefined) return length;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be an integer >= 1, got ${n}`);
  if (n > length) throw new RangeError(`n = ${n} but only ${length} outputs were given`);
  return n;
}

/** Tallies answers[0..n) with the given weights; the result is ordered by weight, ties by first appearance. */
export function tally(answers: readonly Answer[], weights: readonly number[], n?: number): VoteResult {
  const m = prefixLength(answers.length, n);
  const table = new Map<string | null, { count: number; weight: number; first: number }>();
  for (let i = 0; i < m; i++) {
    const key = answers[i] ?? null;
    const entry = table.get(key);
    const w = weights[i] ?? 0;
    if (entry) {
      entry.count++;
      entry.weight += w;
    } else table.set(key, { count: 1, weight: w, first: i });
  }
  const ordered = [...table.entries()].sort(([, a], [, b]) => b.weight - a.weight || a.first - b.first);
  const votes = ordered.map(([answer, e]) => ({ answer, count: e.count, weight: e.weight }));
  const winner = ordered[0];
  return {
    answer: winner ? (winner[0] ?? undefined) : undefined,
    index: winner ? winner[1].first : -1,
    votes,
  };
}

/** Majority vote over the first n answers (all by default); weight = count / n. */
export function majorityVote(answers: readonly Answer[], n?: number): VoteResult {
  const m = prefixLength(answers.length, n);
  return tally(answers, new Array<number>(m).fill(1 / m), m);
}

/**
 * Softmax of rewards[0..n) / β, stabilised by the max; NaN rewards get 0. When every reward is NaN the
 * weights are uniform (weighted majority vote then equals majority vote).
 */
export function softmaxWeights(rewards: readonly number[], beta: number, n?: number): number[] {
  if (!(beta > 0)) throw new RangeError(`beta must be > 0, got ${beta}`);
  const m = prefixLength(rewards.length, n);
  const scaled = rewards.slice(0, m).map((r) => (Number.isNaN(r) ? Number.NEGATIVE_INFINITY : r / beta));
  const max = Math.max(...scaled);
  if (max === Number.NEGATIVE_INFINITY) return new Array<number>(m).fill(1 / m);
  const exps = scaled.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Weighted majority vote: each answer's mass is the sum of softmax(r/β) over the outputs that gave it. */
export function weightedMajorityVote(
  answers: readonly Answer[],
  rewards: readonly number[],
  beta: number,
  n?: number,
): VoteResult {
  if (rewards.length !== answers.length) {
    throw new RangeError(
      `expected one reward per answer, got ${rewards.length} rewards for ${answers.length}`,
    );
  }
  const m = prefixLength(answers.length, n);
  return tally(answers, softmaxWeights(rewards, beta, m), m);
}

/** The position of the highest reward among the first n (the first on ties); NaN rewards never win. */
export function argmaxReward(rewards: readonly number[], n?: number): number {
  const m = prefixLength(rewards.length, n);
  let best = -1;
  for (let i = 0; i < m; i++) {
    const r = rewards[i]!;
    if (Number.isNaN(r)) continue;
    if (best < 0 || r > rewards[best]!) best = i;
  }
  // No finite reward at all: the first output, as np.argmax of all-NaN scores would give.
  return Math.max(best, 0);
}

/** Best-of-n: the answer of the highest-reward output among the first n; votes are plain counts. */
export function bestOfN(answers: readonly Answer[], rewards: readonly number[], n?: number): VoteResult {
  if (rewards.length !== answers.length) {
    throw new RangeError(
      `expected one reward per answer, got ${rewards.length} rewards for ${answers.length}`,
    );
  }
  const m = prefixLength(answers.length, n);
  const index = argmaxReward(rewards, m);
  const counts = majorityVote(answers, m).votes;
  const answer = answers[index];
  const key = answer ?? null;
  // The pick first, the rest by count.
  const votes = [...counts.filter((v) => v.answer === key), ...counts.filter((v) => v.answer !== key)];
  return { answer, index, votes };
}

/** Similarity of two outputs for minimum-Bayes-risk selection. */
export type Similarity<T> = (a: T, b: T) => number;

/**
 * Minimum-Bayes-risk selection (qalign/utils/mbr.py `pick_mat`): the position i < n maximising the mean
 * similarity to all n outputs (itself included); the first on ties. Identical items are compared once.
 */
export function mbrSelect<T>(
  items: readonly T[],
  similarity: Similarity<T>,
  n?: number,
  key?: (item: T) => string,
): number {
  const m = prefixLength(items.length, n);
  const keyOf = key ?? ((item: T) => JSON.stringify(item));
  // Distinct items with multiplicities: a chain repeats states on every rejection.
  const distinct: { item: T; first: number; count: number }[] = [];
  const byKey = new Map<string, number>();
  for (let i = 0; i < m; i++) {
    const k = keyOf(items[i]!);
    const at = byKey.get(k);
    if (at === undefined) {
      byKey.set(k, distinct.length);
      distinct.push({ item: items[i]!, first: i, count: 1 });
    } else distinct[at]!.count++;
  }
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const a of distinct) {
    let score = 0;
    for (const b of distinct) score += b.count * similarity(a.item, b.item);
    if (score > bestScore) {
      bestScore = score;
      best = a.first;
    }
  }
  return best;
}

/** Similarity 1 when the extracted answers are equal ("no answer" equals "no answer"), else 0. */
export function answerMatch(a: Answer, b: Answer): number {
  return a === b ? 1 : 0;
}

/**
 * ROUGE-1 F1 between two token sequences: clipped unigram overlap Σ min(count_a, count_b), precision over
 * |b|, recall over |a|, F1 = 2PR/(P+R); 0 when either is empty (the official FastROUGE on token ids).
 */
export function rouge1(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const counts = new Map<number, number>();
  for (const t of a) counts.set(t, (counts.get(t) ?? 0) + 1);
  let overlap = 0;
  for (const t of b) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      overlap++;
      counts.set(t, c - 1);
    }
  }
  if (overlap === 0) return 0;
  const precision = overlap / b.length;
  const recall = overlap / a.length;
  return (2 * precision * recall) / (precision + recall);
}
