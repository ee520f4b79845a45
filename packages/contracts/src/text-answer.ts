// The text-answer contract: a question in, an answer out, with the votes behind it and what it cost. The
// CLI, the web app and benchmarks drive `solve` and nothing else. QAlign and its baselines implement it.
import type { PluginInstance, ProgressEvent } from '@attune/registry';
import type { CallOptions } from './results.js';

export interface SolveInput {
  /** The question; the method's template (e.g. the LM's prompt_template) turns it into the LM prompt. */
  readonly prompt: string;
}

export interface SolveOptions extends CallOptions {
  /** Progress of the long part (chain steps, or samples generated then scored). */
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Receives recoverable problems (NaN rewards), one line each; default: the instance's logger. */
  readonly onWarning?: (message: string) => void;
}

/** What a text answer cost, counted as 2 · parameters · tokens per model. */
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

/** One answer of a vote. */
export interface VoteCount {
  /** The answer, null for "no answer". */
  readonly answer: string | null;
  /** How many of the outputs gave it. */
  readonly count: number;
  /** Its share of the vote: count / n for majority vote, softmax(r/β) mass for weighted majority vote. */
  readonly weight: number;
}

/** One distinct state an MCMC chain accepted (y0 first), so a reader can see why an answer won. */
export interface ChainState {
  /** The step at which the chain moved to this state (0 = the initial sample y0). */
  readonly step: number;
  /** Extracted answer, null when the output has none. */
  readonly answer: string | null;
  /** The output's text. */
  readonly text: string;
  /** Its reward (clipped), null when the reward model returned NaN. */
  readonly reward: number | null;
  /** Its length in tokens (EOS included). */
  readonly tokens: number;
  /** Steps the chain stayed in it (the state itself included): its weight in the majority vote. */
  readonly visits: number;
}

/** The chain behind an MCMC answer, step by step (qalign only). */
export interface ChainSummary {
  /** The distinct states, in the order the chain accepted them. */
  readonly states: ChainState[];
  /** For t = 0..steps, the index into `states` of the chain's state after t steps. */
  readonly path: number[];
  /** Whether step t + 1 was accepted, t = 0..steps − 1. */
  readonly accepted: boolean[];
  /** The reward of step t + 1's proposal, accepted or not (null = NaN). */
  readonly proposalRewards: (number | null)[];
}

export interface SolveResult<Strategy extends string = string> {
  readonly strategy: Strategy;
  /** The chosen answer (extracted "The answer is N", canonical decimal string), null when none. */
  readonly answer: string | null;
  /**
   * The output behind the answer: qalign — the chain's latest state with that answer (with `select: 'mbr'`
   * the MBR pick); best-of-n — the highest-reward sample; majority votes — the first sample with the
   * winning answer; greedy — the greedy output.
   */
  readonly completion: string;
  /** Reward of `completion` (clipped), null when the strategy uses no reward model. */
  readonly reward: number | null;
  /** Answers with counts and weights (share of the vote, or softmax mass for weighted votes), winner first. */
  readonly votes: VoteCount[];
  /** How many outputs were voted over: n samples, or steps + 1 chain states (repeats included). */
  readonly outputs: number;
  /** MCMC strategies: steps run; null otherwise. */
  readonly steps: number | null;
  /** MCMC strategies: accepted / steps; null otherwise. */
  readonly acceptanceRate: number | null;
  /** MCMC strategies: distinct states the chain visited (y0 included); null otherwise. */
  readonly distinctStates: number | null;
  /** Rewards that came back NaN (qalign: those steps were rejected). */
  readonly nanRewards: number;
  /** One line per recoverable problem (also sent to onWarning / the logger). */
  readonly warnings: string[];
  /** LM tokens generated and FLOPs, reward-model evaluations and FLOPs. */
  readonly cost: ComputeCost;
  /** The prompt the LM saw, in tokens (BOS included). */
  readonly promptTokens: number;
  /** Wall time of solve, in ms. */
  readonly ms: number;
  /** MCMC strategies: the chain's accepted states and path (absent for the others). */
  readonly chain?: ChainSummary;
  /**
   * The answer the same outputs give at budgets 1, 2, 4, … up to the method's own (samples voted over, or
   * chain steps with steps + 1 states voted over), with the compute spent up to each: a whole
   * accuracy-versus-compute curve from one call. Absent for single-output strategies (greedy).
   */
  readonly curve?: readonly CurvePoint[];
  /**
   * The outputs voted over, in order: the n samples, or the chain's state after each step (steps + 1,
   * repeats included). Absent for single-output strategies (greedy).
   */
  readonly candidates?: readonly Candidate[];
}

/** One output a strategy chose among: its extracted answer and its reward (null without one, or NaN). */
export interface Candidate {
  readonly answer: string | null;
  readonly reward: number | null;
}

/** One point of SolveResult.curve. */
export interface CurvePoint {
  readonly budget: number;
  readonly answer: string | null;
  /** LM + reward-model FLOPs spent on the outputs up to this budget. */
  readonly flops: number;
  /** How many of SolveResult.candidates (the first ones) the answer at this budget was chosen from. */
  readonly candidates: number;
}

/** What every text-answer plugin creates. */
export interface TextAnswerMethod<Strategy extends string = string> extends PluginInstance {
  readonly strategy: Strategy;
  solve(input: SolveInput, options?: SolveOptions): Promise<SolveResult<Strategy>>;
}
