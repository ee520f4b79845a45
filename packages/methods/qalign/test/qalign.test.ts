// The chain on the real zoo models (mini-lm, mini-rm), with fixed seeds.
import { type CausalLM, loadCausalLM, loadRewardModel, type RewardModel } from '@attune/models';
import { InvalidConfigError } from '@attune/registry';
import { createRng } from '@attune/tensor/numerics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodePrompt,
  extractAnswer,
  formatPrompt,
  sampleCompletions,
  type TextRewardModel,
} from '../src/index.js';
import { QAlignMethod, type QAlignSettings } from '../src/method.js';
import { qalignPlugin } from '../src/plugin.js';
import { acceptanceRate, type ChainOptions, chainStates, runChains } from '../src/qalign.js';
import { chiSquareCategories, chiSquareHomogeneity } from './support/chi-square.js';
import { heldoutProblems, modelRegistry } from './support/fixtures.js';

let lm: CausalLM;
let rm: RewardModel;
const [problem] = heldoutProblems(1);

beforeAll(async () => {
  [lm, rm] = await Promise.all([
    loadCausalLM('zoo:mini-lm', { threads: 1 }),
    loadRewardModel('zoo:mini-rm', { threads: 1 }),
  ]);
});
afterAll(async () => {
  await Promise.all([lm?.dispose(), rm?.dispose()]);
});

const chainOptions = (overrides: Partial<ChainOptions> = {}): ChainOptions => ({
  steps: 6,
  beta: 1,
  temperature: 1,
  maxNewTokens: 24,
  rewardClip: 40,
  logRatioClip: 20,
  batchSize: 64,
  lmRng: createRng(7).fork('lm'),
  ...overrides,
});

const settings = (overrides: Partial<QAlignSettings> = {}): QAlignSettings => ({
  template: '',
  seed: 0,
  batchSize: 64,
  maxNewTokens: 24,
  beta: 1,
  steps: 5,
  temperature: 1,
  rewardClip: 40,
  logRatioClip: 20,
  select: 'majority',
  similarity: 'rouge1',
  ...overrides,
});

/** A reward model that gives every output the same reward, or f(completion text). */
function fakeReward(f: (completion: string) => number): TextRewardModel {
  return {
    config: rm.config,
    score: async (pairs) => pairs.map((p) => f(p.completion)),
  };
}

describe('the QAlign chain on zoo:mini-lm + zoo:mini-rm', () => {
  it('keeps a consistent trace: states, path, proposals, token counts with EOS', async () => {
    const prompt = encodePrompt(lm, formatPrompt(problem!.question, '', lm));
    const [trace] = await runChains(lm, rm, [{ prompt, rng: createRng(1).fork('chain') }], chainOptions());
    const t = trace!;
    expect(t.path).toHaveLength(7);
    expect(t.accepted).toHaveLength(6);
    expect(t.path[0]).toBe(0);
    for (let s = 0; s < 6; s++) {
      const before = t.states[t.path[s]!]!;
      expect(t.proposalIndex[s]).toBeGreaterThanOrEqual(0);
      expect(t.proposalIndex[s]).toBeLessThan(before.tokens.length);
      // A rejected step repeats the state; an accepted one moves to a new state.
      if (t.accepted[s]) expect(t.path[s + 1]).not.toBe(t.path[s]);
      else expect(t.path[s + 1]).toBe(t.path[s]);
    }
    for (const state of t.states) {
      expect(state.tokens.length).toBeGreaterThanOrEqual(1);
      expect(state.tokens.length).toBeLessThanOrEqual(24);
      if (state.stopped) expect(state.tokens[state.tokens.length - 1]).toBe(lm.config.eosTokenId);
      expect(state.text).toBe(lm.decode(state.stopped ? state.tokens.slice(0, -1) : state.tokens));
      expect(Math.abs(state.reward)).toBeLessThanOrEqual(40);
    }
    expect(t.generatedTokens[0]).toBe(t.states[0]!.tokens.length);
    expect(t.generatedTokens).toHaveLength(7);
    expect(t.rewardTokens.every((n) => n > prompt.ids.length)).toBe(true);
    expect(t.nanRewards).toBe(0);
    expect(acceptanceRate(t)).toBe(t.accepted.filter(Boolean).length / 6);
  }, 60_000);

  it('reuses the kept prefix from the cache (one token fed per step) and walks the same chain as recomputing it', async () => {
    const prompts = heldoutProblems(3).map((p) => encodePrompt(lm, formatPrompt(p.question, '', lm)));
    const specs = () => prompts.map((prompt, k) => ({ prompt, rng: createRng(5).fork('chain').fork(k) }));
    const cached = await runChains(lm, rm, specs(), chainOptions({ steps: 12, maxNewTokens: 64 }));
    // The same LM behind a wrapper that returns no caches: every step recomputes prompt + y[:i].
    const noCache: CausalLM = {
      ...lm,
      config: lm.config,
      encode: (t, o) => lm.encode(t, o),
      decode: (ids) => lm.decode(ids),
      generate: async (prefixes, o) =>
        (await lm.generate(prefixes, { ...o, returnCaches: false })).map(({ cache: _c, ...g }) => g),
    };
    const recomputed = await runChains(noCache, rm, specs(), chainOptions({ steps: 12, maxNewTokens: 64 }));
    cached.forEach((t, k) => {
      const r = recomputed[k]!;
      expect(t.prefillTokens.slice(1).every((n) => n === 1)).toBe(true);
      expect(r.prefillTokens.slice(1)).toEqual(r.proposalIndex.map((i) => prompts[k]!.ids.length + i));
      expect(t.path).toEqual(r.path);
      expect(t.states.map((s) => s.tokens)).toEqual(r.states.map((s) => s.tokens));
      expect(t.accepted).toEqual(r.accepted);
      expect(t.generatedTokens).toEqual(r.generatedTokens);
    });
  }, 60_000);

  it('returns the chain: accepted states with their step, reward and visits, which add up to the votes', async () => {
    const r = await new QAlignMethod(lm, rm, settings({ steps: 8 })).solve(
      { prompt: problem!.question },
      { seed: 2 },
    );
    const chain = r.chain!;
    expect(chain.path).toHaveLength(9);
    expect(chain.accepted).toHaveLength(8);
    expect(chain.proposalRewards).toHaveLength(8);
    expect(chain.states).toHaveLength(r.distinctStates!);
    expect(chain.states[0]!.step).toBe(0);
    expect(chain.states.reduce((n, s) => n + s.visits, 0)).toBe(9);
    // A state is entered at an accepted step, with the reward its proposal had.
    chain.states.slice(1).forEach((s) => {
      expect(chain.accepted[s.step - 1]).toBe(true);
      expect(chain.proposalRewards[s.step - 1]).toBe(s.reward);
    });
    expect(chain.states.filter((_, i) => i > 0).length).toBe(chain.accepted.filter(Boolean).length);
    for (const v of r.votes) {
      const visits = chain.states.filter((s) => s.answer === v.answer).reduce((n, s) => n + s.visits, 0);
      expect(visits).toBe(v.count);
    }
  }, 60_000);

  it('is deterministic under a seed and differs under another', async () => {
    const method = new QAlignMethod(lm, rm, settings());
    const a = await method.solve({ prompt: problem!.question }, { seed: 3 });
    const b = await method.solve({ prompt: problem!.question }, { seed: 3 });
    const c = await method.solve({ prompt: problem!.question }, { seed: 4 });
    const strip = ({ ms: _ms, ...rest }: typeof a) => rest;
    expect(strip(b)).toEqual(strip(a));
    expect(strip(c)).not.toEqual(strip(a));
    expect(a.outputs).toBe(6);
    expect(a.votes.reduce((n, v) => n + v.count, 0)).toBe(6);
    expect(a.cost.flops).toBe(a.cost.lmFlops + a.cost.rewardFlops);
    expect(a.cost.lmFlops).toBe(2 * lm.config.numParameters * a.cost.generatedTokens);
    expect(a.cost.rewardEvaluations).toBe(6);
  }, 60_000);

  it('answers by MBR over the states when asked (ROUGE-1 over tokens, or answer match = majority vote)', async () => {
    const question = problem!.question;
    const majority = await new QAlignMethod(lm, rm, settings()).solve({ prompt: question }, { seed: 8 });
    const byAnswer = await new QAlignMethod(lm, rm, settings({ select: 'mbr', similarity: 'answer' })).solve(
      { prompt: question },
      { seed: 8 },
    );
    const byRouge = await new QAlignMethod(lm, rm, settings({ select: 'mbr', similarity: 'rouge1' })).solve(
      { prompt: question },
      { seed: 8 },
    );
    // Same seed, same chain: only the selection differs.
    expect(byAnswer.votes).toEqual(majority.votes);
    expect(byRouge.votes).toEqual(majority.votes);
    expect(byAnswer.answer).toBe(majority.answer);
    expect(byRouge.acceptanceRate).toBe(majority.acceptanceRate);
    expect(typeof byRouge.completion).toBe('string');
  }, 60_000);

  it('rejects a step whose proposal reward is NaN, counts it and logs it', async () => {
    let calls = 0;
    // y0 is scored normally; every proposal after it comes back NaN.
    const broken: TextRewardModel = {
      config: rm.config,
      score: async (pairs) => (calls++ === 0 ? rm.score(pairs) : pairs.map(() => Number.NaN)),
    };
    const logged: string[] = [];
    const method = new QAlignMethod(lm, broken as RewardModel, settings({ steps: 4 }), (m) => logged.push(m));
    const result = await method.solve({ prompt: problem!.question }, { seed: 0 });
    expect(result.nanRewards).toBe(4);
    expect(result.acceptanceRate).toBe(0);
    expect(result.distinctStates).toBe(1);
    expect(result.votes).toHaveLength(1);
    expect(result.votes[0]!.count).toBe(5);
    expect(result.warnings).toHaveLength(4);
    expect(logged).toEqual(result.warnings);
    expect(logged[0]).toMatch(/step 1: the reward model returned NaN for the proposal; step rejected/);
  }, 60_000);

  it('refuses a prompt that already carries the template (it would be framed twice), naming the fix', () => {
    const framed = `Question: ${problem!.question}\nAnswer:`;
    expect(() => formatPrompt(framed, '', lm)).toThrow(
      /already has the template's framing.*pass the bare question/,
    );
    expect(formatPrompt(framed, '{question}', lm)).toBe(framed);
    expect(formatPrompt(problem!.question, '', lm)).toBe(framed);
  });

  it('surfaces the adapter\u2019s error for a prompt longer than the LM context', async () => {
    const method = new QAlignMethod(lm, rm, settings({ steps: 1 }));
    const long = 'How many apples does Mia have now? '.repeat(40);
    await expect(method.solve({ prompt: long })).rejects.toThrow(/context length is 256/);
  });

  it('refuses steps = 0, \u03b2 <= 0 and non-positive clips with errors naming the field and its range', () => {
    const registry = modelRegistry(qalignPlugin);
    const problemOf = (config: Record<string, unknown>) => {
      try {
        registry.parseConfig('qalign', config);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidConfigError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(config)}`);
    };
    expect(problemOf({ steps: 0 })).toMatch(/steps: expected >= 1, got 0 \(number\)/);
    expect(problemOf({ steps: 2.5 })).toMatch(/steps: expected an integer/);
    expect(problemOf({ beta: 0 })).toMatch(/beta: expected > 0, got 0 \(number\)/);
    expect(problemOf({ beta: -1 })).toMatch(/beta: expected > 0, got -1 \(number\)/);
    expect(problemOf({ rewardClip: 0 })).toMatch(/rewardClip: expected > 0/);
    expect(problemOf({ logRatioClip: -20 })).toMatch(/logRatioClip: expected > 0/);
    expect(problemOf({ template: 'Q: {q}' })).toMatch(
      /template: expected a template containing \{question\}/,
    );
    expect(registry.parseConfig('qalign', {})).toMatchObject({ beta: 1, steps: 1024, temperature: 1 });
  });
});

describe('with a constant reward the chain samples the LM\u2019s own distribution', () => {
  // y0 ~ p_LM and the MH kernel leaves p_LM·exp(c/β) ∝ p_LM invariant, so the state after any number of
  // steps is distributed like an ancestral sample. K chains' final states vs K independent ancestral
  // samples, chi-square homogeneity on the extracted answer (a trained LM's answers vary), on the output
  // length in tokens (EOS included: what the correction log|y| − log|y'| is about) and in characters (an
  // untrained LM's outputs have no answers but vary in length).
  const K = 150;
  const steps = 4;
  // A three-step problem (a ~35-token solution): the trained LM is unsure of it, so its outputs vary.
  const maxNewTokens = 48;
  const hard = heldoutProblems(20).find((p) => p.steps === 3)!;
  let ancestral: Statistics;
  /** The biased reward's favourite: the LM's second most frequent answer (none for an untrained LM). */
  let target: string | undefined;

  interface Statistics {
    answers: string[];
    tokens: number[];
    chars: number[];
  }
  const statistics = (
    outputs: readonly { answer: string | undefined; tokens: readonly number[]; text: string }[],
  ) => ({
    answers: outputs.map((o) => o.answer ?? '(none)'),
    tokens: outputs.map((o) => o.tokens.length),
    chars: outputs.map((o) => o.text.length),
  });
  const tests = (chain: Statistics) => ({
    answers: chiSquareCategories(chain.answers, ancestral.answers),
    tokens: chiSquareHomogeneity(chain.tokens, ancestral.tokens),
    chars: chiSquareHomogeneity(chain.chars, ancestral.chars),
  });

  const finalStates = async (reward: TextRewardModel, seed: number): Promise<Statistics> => {
    const prompt = encodePrompt(lm, formatPrompt(hard.question, '', lm));
    const root = createRng(seed);
    const specs = Array.from({ length: K }, (_, k) => ({ prompt, rng: root.fork('chain').fork(k) }));
    const traces = await runChains(
      lm,
      reward,
      specs,
      chainOptions({ steps, maxNewTokens, lmRng: root.fork('lm') }),
    );
    return statistics(traces.map((t) => chainStates(t).at(-1)!));
  };

  beforeAll(async () => {
    const prompt = encodePrompt(lm, formatPrompt(hard.question, '', lm));
    const samples = await sampleCompletions(lm, prompt, K, {
      temperature: 1,
      budget: maxNewTokens,
      batchSize: 64,
      seed: 99,
    });
    ancestral = statistics(samples);
    const counts = new Map<string, number>();
    for (const s of samples)
      if (s.answer !== undefined) counts.set(s.answer, (counts.get(s.answer) ?? 0) + 1);
    target = [...counts.entries()].sort((a, b) => b[1] - a[1])[1]?.[0];
  }, 60_000);

  it('passes the homogeneity tests (p > 0.01) against independent ancestral samples', async () => {
    const result = tests(
      await finalStates(
        fakeReward(() => 0.7),
        11,
      ),
    );
    // At least one statistic must be informative (df >= 1) for the test to say anything.
    expect(Math.max(result.answers.df, result.tokens.df, result.chars.df)).toBeGreaterThanOrEqual(1);
    expect(result.answers.p).toBeGreaterThan(0.01);
    expect(result.tokens.p).toBeGreaterThan(0.01);
    expect(result.chars.p).toBeGreaterThan(0.01);
  }, 120_000);

  it('and the same tests fail (p < 0.01) for a biased chain: a reward for one answer and for short outputs', async () => {
    const biased = fakeReward(
      (text) => -text.length / 2 + (target !== undefined && extractAnswer(text) === target ? 5 : 0),
    );
    const result = tests(await finalStates(biased, 11));
    expect(Math.min(result.answers.p, result.chars.p)).toBeLessThan(0.01);
  }, 120_000);
});
