// The Metropolis–Hastings acceptance of QAlign's suffix proposal (quest-decoding: quest/core.py `criterion`
// with quest/proposal.py `RLHFSuffixProposal.transition_likelihood_ratio`).
//
// Target π(y|x) ∝ p(y|x)·exp(r(x,y)/β). The proposal picks i ~ Uniform{0..|y|−1} and samples y' = y[:i] + a
// continuation from p given x + y[:i], so q(y'|y) = p(y'[i:] | x, y'[:i]) / |y| and the reverse move (same i,
// possible because y' and y share y[:i] and |y'| > i) has q(y|y') = p(y[i:] | x, y[:i]) / |y'|. In
// π(y')q(y|y') / (π(y)q(y'|y)) the LM terms cancel and what is left is
//   log a = (r' − r)/β + log|y| − log|y'|,
// clipped to ±logRatioClip (20 in quest) before exponentiating; accept with probability min(1, e^{log a}).
// Lengths are in tokens and count the end-of-sequence token when the output stopped on it (as vLLM's
// token_ids do in the official code): that keeps |y'| > i for every proposal, which the reverse move needs.

/** quest's Quest(logratio_clamp=20). */
export const DEFAULT_LOG_RATIO_CLIP = 20;
/** quest's RewardModel(clamp=40): reward-model logits are clipped to ±40. */
export const DEFAULT_REWARD_CLIP = 40;

/** A reward clipped to ±clip; NaN stays NaN (the caller decides what a NaN reward means). */
export function clipReward(reward: number, clip: number = DEFAULT_REWARD_CLIP): number {
  if (Number.isNaN(reward)) return reward;
  return Math.min(clip, Math.max(-clip, reward));
}

export interface ChainPoint {
  /** The (clipped) reward r(x, y). */
  readonly reward: number;
  /** |y| in tokens, end-of-sequence token included when the output stopped on it; >= 1. */
  readonly length: number;
}

export interface AcceptanceOptions {
  /** β > 0: the temperature of the reward in the target. */
  readonly beta: number;
  /** The log-ratio is clipped to ±logRatioClip (default 20). */
  readonly logRatioClip?: number;
}

/**
 * log a = (r' − r)/β + log|y| − log|y'|, clipped to ±logRatioClip. NaN when the proposal's reward is NaN
 * (the step is then rejected); a NaN current reward counts as −∞ (a state outside the target's support is
 * left by the first proposal with a finite reward).
 */
export function logAcceptance(current: ChainPoint, proposal: ChainPoint, options: AcceptanceOptions): number {
  const clip = options.logRatioClip ?? DEFAULT_LOG_RATIO_CLIP;
  if (!(options.beta > 0)) throw new RangeError(`beta must be > 0, got ${options.beta}`);
  if (!(clip > 0)) throw new RangeError(`logRatioClip must be > 0, got ${clip}`);
  checkLength(current.length, 'current');
  checkLength(proposal.length, 'proposal');
  if (Number.isNaN(proposal.reward)) return Number.NaN;
  const currentReward = Number.isNaN(current.reward) ? Number.NEGATIVE_INFINITY : current.reward;
  const rewardTerm = (proposal.reward - currentReward) / options.beta;
  const value = rewardTerm + Math.log(current.length) - Math.log(proposal.length);
  return Math.min(clip, Math.max(-clip, value));
}

/** min(1, e^{log a}); 0 for a NaN log a (a NaN reward rejects the step). */
export function acceptanceProbability(logA: number): number {
  if (Number.isNaN(logA)) return 0;
  return Math.min(1, Math.exp(logA));
}

/** The MH decision given a Uniform[0,1) draw u: accept when u < min(1, e^{log a}). */
export function accepts(logA: number, u: number): boolean {
  return u < acceptanceProbability(logA);
}

function checkLength(length: number, what: string): void {
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`${what} length must be an integer >= 1 (tokens), got ${length}`);
  }
}
