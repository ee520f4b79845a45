// The contract of every method in this package: a question in, an answer out, with the votes behind it and
// what it cost. The CLI, the web app and benchmarks drive `solve` and nothing else.
import type { PluginInstance, ProgressEvent } from '@attune/registry';
import type { ComputeCost } from './compute.js';
import type { VoteCount } from './votes.js';

/** The capability the plugins of this package provide: answer a text prompt. */
export const TEXT_ANSWER_CAPABILITY = 'text-answer';

export type Strategy = 'qalign' | 'best-of-n' | 'majority-vote' | 'weighted-majority-vote' | 'greedy';

export interface SolveInput {
  /** The question; the method's `template` (default: the LM's prompt_template) turns it into the LM prompt. */
  readonly prompt: string;
}

export interface SolveOptions {
  /** Seeds every random draw of this call; default: the instance's seed (registry seed, else config.seed). */
  readonly seed?: number;
  /** Progress of the long part (chain steps, or samples generated then scored). */
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Receives recoverable problems (NaN rewards), one line each; default: the instance's logger. */
  readonly onWarning?: (message: string) => void;
}

export interface SolveResult {
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
  /** qalign: MH steps run; null otherwise. */
  readonly steps: number | null;
  /** qalign: accepted / steps; null otherwise. */
  readonly acceptanceRate: number | null;
  /** qalign: distinct states the chain visited (y0 included); null otherwise. */
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
}

/** What every plugin of this package creates. */
export interface TextAnswerMethod extends PluginInstance {
  readonly strategy: Strategy;
  solve(input: SolveInput, options?: SolveOptions): Promise<SolveResult>;
}
