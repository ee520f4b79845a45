// Compute accounting as in the QAlign paper: FLOPs = 2 · parameters · tokens (a forward pass costs about two
// FLOPs per parameter per token). LM generation counts the tokens generated (prompt prefill is not counted,
// as in the paper); reward-model evaluations are reported separately, with the tokens the reward model reads
// (BOS + prompt + completion + EOS), because the reward model reads the whole prompt on every evaluation.

export interface ComputeCost {
  /** Tokens the LM generated (end-of-sequence tokens included). */
  readonly generatedTokens: number;
  /** 2 · LM parameters · generatedTokens. */
  readonly lmFlops: number;
  /** (prompt, completion) pairs the reward model scored. */
  readonly rewardEvaluations: number;
  /** Tokens the reward model read over all evaluations. */
  readonly rewardTokens: number;
  /** 2 · reward-model parameters · rewardTokens. */
  readonly rewardFlops: number;
  /** lmFlops + rewardFlops. */
  readonly flops: number;
}

/** 2 · params · tokens. */
export function forwardFlops(parameters: number, tokens: number): number {
  return 2 * parameters * tokens;
}

export function computeCost(
  counts: { generatedTokens: number; rewardEvaluations: number; rewardTokens: number },
  parameters: { lm: number; reward: number },
): ComputeCost {
  const lmFlops = forwardFlops(parameters.lm, counts.generatedTokens);
  const rewardFlops = forwardFlops(parameters.reward, counts.rewardTokens);
  return {
    generatedTokens: counts.generatedTokens,
    lmFlops,
    rewardEvaluations: counts.rewardEvaluations,
    rewardTokens: counts.rewardTokens,
    rewardFlops,
    flops: lmFlops + rewardFlops,
  };
}
