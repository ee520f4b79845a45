// The plugin instances: QAlign's chain and the baselines on n ancestral samples, behind one `solve` contract.

import type {
  ChainSummary,
  ComputeCost,
  SolveInput,
  SolveOptions,
  SolveResult,
  TextAnswerMethod,
} from '@attune/contracts';
import type { CausalLM, RewardModel } from '@attune/models';
import { createRng, type Rng } from '@attune/tensor/numerics';
import { computeCost } from './compute.js';
import { chainCurve, type FlopsPerToken, sampleVoteCurve } from './curve.js';
import {
  type Completion,
  callSeed,
  contentLength,
  continueRows,
  type EncodedPrompt,
  encodePrompt,
  formatPrompt,
  outputBudget,
  type ScoredCompletion,
  scoreRows,
} from './generation.js';
import { acceptanceRate, type ChainTrace, chainStates, runChains } from './qalign.js';
import {
  answerMatch,
  bestOfN,
  majorityVote,
  mbrSelect,
  rouge1,
  type VoteResult,
  weightedMajorityVote,
} from './votes.js';

/** Where warnings go when solve() is given no onWarning. */
/** Which answer rule a method of this package applies. */
export type Strategy = 'qalign' | 'best-of-n' | 'majority-vote' | 'weighted-majority-vote' | 'greedy';

export type Logger = (message: string) => void;

export interface SharedSettings {
  readonly template: string;
  readonly seed: number;
  readonly batchSize: number;
  readonly maxNewTokens: number;
}

interface Call {
  readonly prompt: EncodedPrompt;
  readonly rng: Rng;
  readonly warnings: string[];
  readonly warn: (message: string) => void;
  readonly started: number;
}

abstract class AnswerMethodBase implements TextAnswerMethod<Strategy> {
  abstract readonly strategy: Strategy;

  constructor(
    readonly lm: CausalLM,
    readonly rewardModel: RewardModel | undefined,
    protected readonly settings: SharedSettings,
    protected readonly logger: Logger = (message) => console.warn(message),
  ) {}

  abstract solve(input: SolveInput, options?: SolveOptions): Promise<SolveResult<Strategy>>;

  protected begin(input: SolveInput, options: SolveOptions): Call {
    if (input === null || typeof input !== 'object' || typeof input.prompt !== 'string') {
      throw new TypeError(`expected { prompt: string }, got ${JSON.stringify(input)}`);
    }
    const seed = options.seed ?? this.settings.seed;
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed must be an integer >= 0, got ${seed}`);
    }
    const started = performance.now();
    const prompt = encodePrompt(this.lm, formatPrompt(input.prompt, this.settings.template, this.lm));
    const warnings: string[] = [];
    const sink = options.onWarning ?? this.logger;
    const warn = (message: string) => {
      warnings.push(message);
      sink(message);
    };
    return { prompt, rng: createRng(seed), warnings, warn, started };
  }

  protected cost(counts: {
    generatedTokens: number;
    rewardEvaluations: number;
    rewardTokens: number;
  }): ComputeCost {
    return computeCost(counts, {
      lm: this.lm.config.numParameters,
      reward: this.rewardModel?.config.numParameters ?? 0,
    });
  }

  /** FLOPs per token read or written by each model (2 · parameters), for the budget curves. */
  protected flopsPerToken(): FlopsPerToken {
    return {
      lm: 2 * this.lm.config.numParameters,
      reward: 2 * (this.rewardModel?.config.numParameters ?? 0),
    };
  }

  protected requireRewardModel(): RewardModel {
    if (!this.rewardModel)
      throw new Error(`${this.strategy} needs a reward model and was created without one`);
    return this.rewardModel;
  }

  async dispose(): Promise<void> {
    try {
      await this.lm.dispose();
    } finally {
      await this.rewardModel?.dispose();
    }
  }
}

export interface QAlignSettings extends SharedSettings {
  readonly beta: number;
  readonly steps: number;
  readonly temperature: number;
  readonly rewardClip: number;
  readonly logRatioClip: number;
  readonly select: 'majority' | 'mbr';
  readonly similarity: 'rouge1' | 'answer';
}

/** `qalign`: one MH chain per prompt; the answer is the majority vote (or MBR pick) over its states. */
export class QAlignMethod extends AnswerMethodBase {
  readonly strategy = 'qalign' as const;

  constructor(
    lm: CausalLM,
    rewardModel: RewardModel,
    protected override readonly settings: QAlignSettings,
    logger?: Logger,
  ) {
    super(lm, rewardModel, settings, logger);
  }

  async solve(input: SolveInput, options: SolveOptions = {}): Promise<SolveResult<Strategy>> {
    const call = this.begin(input, options);
    const s = this.settings;
    const [trace] = await runChains(
      this.lm,
      this.requireRewardModel(),
      [{ prompt: call.prompt, rng: call.rng.fork('chain') }],
      {
        steps: s.steps,
        beta: s.beta,
        temperature: s.temperature,
        maxNewTokens: s.maxNewTokens,
        rewardClip: s.rewardClip,
        logRatioClip: s.logRatioClip,
        batchSize: s.batchSize,
        lmRng: call.rng.fork('lm'),
        onWarning: call.warn,
        onStep: (done, total) => options.onProgress?.({ stage: 'qalign', done, total }),
      },
    );
    const states = chainStates(trace!);
    const answers = states.map((st) => st.answer);
    const vote = majorityVote(answers);
    let chosen: ScoredCompletion;
    if (s.select === 'mbr') {
      const pick =
        s.similarity === 'answer'
          ? mbrSelect(answers, answerMatch, undefined, (a) => a ?? '\u0000none')
          : mbrSelect(
              states.map((st) => st.tokens.slice(0, contentLength(st))),
              rouge1,
              undefined,
              (t) => t.join(','),
            );
      chosen = states[pick]!;
    } else {
      // The latest state that gave the winning answer.
      const winner = vote.answer;
      chosen = states.findLast((st) => st.answer === winner) ?? states[states.length - 1]!;
    }
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      strategy: this.strategy,
      answer: chosen.answer ?? null,
      completion: chosen.text,
      reward: Number.isNaN(chosen.reward) ? null : chosen.reward,
      votes: vote.votes,
      outputs: states.length,
      steps: s.steps,
      acceptanceRate: acceptanceRate(trace!),
      distinctStates: trace!.states.length,
      nanRewards: trace!.nanRewards,
      warnings: call.warnings,
      cost: this.cost({
        generatedTokens: sum(trace!.generatedTokens),
        rewardEvaluations: trace!.rewardTokens.filter((t) => t > 0).length,
        rewardTokens: sum(trace!.rewardTokens),
      }),
      promptTokens: call.prompt.ids.length,
      ms: round2(performance.now() - call.started),
      chain: chainSummary(trace!),
      curve: chainCurve(answers, trace!.generatedTokens, trace!.rewardTokens, this.flopsPerToken()),
      candidates: states.map((st) => ({
        answer: st.answer ?? null,
        reward: Number.isNaN(st.reward) ? null : st.reward,
      })),
    };
  }
}

/** The trace as the contract's ChainSummary: each distinct state with the step it was accepted at and its visits. */
export function chainSummary(trace: ChainTrace): ChainSummary {
  const visits = new Array<number>(trace.states.length).fill(0);
  for (const i of trace.path) visits[i]!++;
  const firstStep = new Array<number>(trace.states.length).fill(-1);
  trace.path.forEach((i, t) => {
    if (firstStep[i] === -1) firstStep[i] = t;
  });
  const nullIfNaN = (x: number) => (Number.isNaN(x) ? null : x);
  return {
    states: trace.states.map((st, i) => ({
      step: firstStep[i]!,
      answer: st.answer ?? null,
      text: st.text,
      reward: nullIfNaN(st.reward),
      tokens: st.tokens.length,
      visits: visits[i]!,
    })),
    path: [...trace.path],
    accepted: [...trace.accepted],
    proposalRewards: trace.proposalReward.map(nullIfNaN),
  };
}

export interface SampleSettings extends SharedSettings {
  readonly n: number;
  readonly temperature: number;
  readonly rewardClip: number;
  /** weighted-majority-vote only. */
  readonly betaWmv?: number;
}

/** n ancestral samples of one prompt in one generate() call, each at most `budget` tokens. */
export async function sampleCompletions(
  lm: CausalLM,
  prompt: EncodedPrompt,
  n: number,
  options: {
    temperature: number;
    budget: number;
    batchSize: number;
    seed: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<Completion[]> {
  return continueRows(lm, new Array(n).fill(prompt.ids), new Array<number>(n).fill(options.budget), {
    temperature: options.temperature,
    seed: options.seed,
    batchSize: options.batchSize,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

type SampleStrategy = 'best-of-n' | 'majority-vote' | 'weighted-majority-vote';

/** `best-of-n`, `majority-vote`, `weighted-majority-vote`: n ancestral samples, then a vote. */
export class SampleVoteMethod extends AnswerMethodBase {
  constructor(
    readonly strategy: SampleStrategy,
    lm: CausalLM,
    rewardModel: RewardModel | undefined,
    protected override readonly settings: SampleSettings,
    logger?: Logger,
  ) {
    super(lm, rewardModel, settings, logger);
    if (strategy !== 'majority-vote' && !rewardModel) throw new Error(`${strategy} needs a reward model`);
  }

  async solve(input: SolveInput, options: SolveOptions = {}): Promise<SolveResult<Strategy>> {
    const call = this.begin(input, options);
    const s = this.settings;
    const samples = await sampleCompletions(this.lm, call.prompt, s.n, {
      temperature: s.temperature,
      budget: outputBudget(this.lm, call.prompt, s.maxNewTokens, this.rewardModel),
      batchSize: s.batchSize,
      seed: callSeed(call.rng.fork('lm')),
      onProgress: (done, total) => options.onProgress?.({ stage: 'sampling', done, total }),
    });
    const answers = samples.map((x) => x.answer);
    let rewards: number[] | undefined;
    let rewardTokens = 0;
    let rewardEvaluations = 0;
    let rewardTokensPerSample: number[] | undefined;
    if (this.strategy !== 'majority-vote') {
      options.onProgress?.({ stage: 'scoring', done: 0, total: s.n });
      const scored = await scoreRows(
        this.lm,
        this.requireRewardModel(),
        samples.map((x) => ({ prompt: call.prompt.text, completion: x.text })),
        { clip: s.rewardClip, batchSize: s.batchSize },
      );
      options.onProgress?.({ stage: 'scoring', done: s.n, total: s.n });
      rewards = scored.rewards;
      rewardTokens = scored.tokens.reduce((a, b) => a + b, 0);
      rewardTokensPerSample = scored.tokens;
      rewardEvaluations = s.n - scored.unscorable.length;
      if (scored.unscorable.length > 0) {
        call.warn(
          `${this.strategy}: ${scored.unscorable.length} samples do not fit the reward model's context with the prompt; reward taken as NaN`,
        );
      }
    }
    const nanRewards = rewards?.filter((r) => Number.isNaN(r)).length ?? 0;
    if (nanRewards > 0) {
      call.warn(`${this.strategy}: ${nanRewards} of ${s.n} samples have a NaN reward; they get no weight`);
    }
    let vote: VoteResult;
    if (this.strategy === 'best-of-n') vote = bestOfN(answers, rewards!);
    else if (this.strategy === 'weighted-majority-vote') {
      vote = weightedMajorityVote(answers, rewards!, s.betaWmv ?? 1);
    } else vote = majorityVote(answers);
    const chosen = samples[vote.index]!;
    return {
      strategy: this.strategy,
      answer: vote.answer ?? null,
      completion: chosen.text,
      reward: rewards && !Number.isNaN(rewards[vote.index]!) ? rewards[vote.index]! : null,
      votes: vote.votes,
      outputs: s.n,
      steps: null,
      acceptanceRate: null,
      distinctStates: null,
      nanRewards,
      warnings: call.warnings,
      cost: this.cost({
        generatedTokens: samples.reduce((t, x) => t + x.tokens.length, 0),
        rewardEvaluations,
        rewardTokens,
      }),
      promptTokens: call.prompt.ids.length,
      ms: round2(performance.now() - call.started),
      curve: sampleVoteCurve(
        this.strategy,
        {
          answers,
          ...(rewards ? { rewards } : {}),
          tokens: samples.map((x) => x.tokens.length),
          ...(rewardTokensPerSample ? { rewardTokens: rewardTokensPerSample } : {}),
        },
        this.flopsPerToken(),
        s.betaWmv ?? 1,
      ),
      candidates: answers.map((answer, i) => {
        const reward = rewards?.[i];
        return {
          answer: answer ?? null,
          reward: reward === undefined || Number.isNaN(reward) ? null : reward,
        };
      }),
    };
  }
}

/** `greedy`: one argmax decode (temperature 0). */
export class GreedyMethod extends AnswerMethodBase {
  readonly strategy = 'greedy' as const;

  async solve(input: SolveInput, options: SolveOptions = {}): Promise<SolveResult<Strategy>> {
    const call = this.begin(input, options);
    const [output] = await continueRows(
      this.lm,
      [call.prompt.ids],
      [outputBudget(this.lm, call.prompt, this.settings.maxNewTokens)],
      { temperature: 0, seed: 0, batchSize: 1 },
    );
    const vote = majorityVote([output!.answer]);
    return {
      strategy: this.strategy,
      answer: output!.answer ?? null,
      completion: output!.text,
      reward: null,
      votes: vote.votes,
      outputs: 1,
      steps: null,
      acceptanceRate: null,
      distinctStates: null,
      nanRewards: 0,
      warnings: call.warnings,
      cost: this.cost({ generatedTokens: output!.tokens.length, rewardEvaluations: 0, rewardTokens: 0 }),
      promptTokens: call.prompt.ids.length,
      ms: round2(performance.now() - call.started),
    };
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
