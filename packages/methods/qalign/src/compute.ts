// Compute accounting as in the QAlign paper: FLOPs = 2 · parameters · tokens (a forward pass costs about two
// FLOPs per parameter per token). LM generation counts the tokens generated (prompt prefill is not counted,
// as in the paper); reward-model evaluations are reported separately, with the tokens the reward model reads
// (BOS + prompt + completion + EOS), because the reward model reads the whole prompt on every evaluation.
import type { ComputeCost } from '@attune/contracts';

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
