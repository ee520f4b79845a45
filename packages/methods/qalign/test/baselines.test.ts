// The baselines on the real zoo models: they vote over the same samples the pure vote functions see.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CausalLM, loadCausalLM, loadRewardModel, type RewardModel } from '@attune/models';
import { createRng } from '@attune/tensor/numerics';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bestOfN,
  callSeed,
  encodePrompt,
  formatPrompt,
  majorityVote,
  outputBudget,
  sampleCompletions,
  scoreRows,
  weightedMajorityVote,
} from '../src/index.js';
import { GreedyMethod, type SampleSettings, SampleVoteMethod } from '../src/method.js';
import { heldoutProblems } from './support/fixtures.js';

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

const settings: SampleSettings = {
  template: '',
  seed: 0,
  batchSize: 64,
  maxNewTokens: 24,
  n: 12,
  temperature: 1,
  rewardClip: 40,
  betaWmv: 0.5,
};

describe('greedy, best-of-n, majority vote and weighted majority vote', () => {
  it('greedy reproduces the zoo card\u2019s reference greedy decode', async () => {
    const reference = JSON.parse(readFileSync(join(ZOO_MODELS_DIR, 'mini-lm', 'reference.json'), 'utf8')) as {
      prompt: string;
      prompt_ids: number[];
      greedy_ids: number[];
    };
    const method = new GreedyMethod(lm, undefined, {
      ...settings,
      maxNewTokens: reference.greedy_ids.length,
    });
    const question = reference.prompt.replace(/^Question: /, '').replace(/\nAnswer:$/, '');
    const result = await method.solve({ prompt: question });
    expect(result.promptTokens).toBe(reference.prompt_ids.length);
    const ids = lm.encode(result.completion, { addBos: false });
    expect(lm.decode(ids)).toBe(lm.decode(reference.greedy_ids.slice(0, ids.length)));
    expect(result.cost.rewardEvaluations).toBe(0);
  }, 60_000);

  it('vote over the same n samples as the pure functions see', async () => {
    const seed = 5;
    const prompt = encodePrompt(lm, formatPrompt(problem!.question, '', lm));
    const samples = await sampleCompletions(lm, prompt, settings.n, {
      temperature: 1,
      budget: outputBudget(lm, prompt, settings.maxNewTokens, rm),
      batchSize: 64,
      seed: callSeed(createRng(seed).fork('lm')),
    });
    const scored = await scoreRows(
      lm,
      rm,
      samples.map((s) => ({ prompt: prompt.text, completion: s.text })),
      {
        clip: 40,
        batchSize: 64,
      },
    );
    const answers = samples.map((s) => s.answer);
    const run = (strategy: 'best-of-n' | 'majority-vote' | 'weighted-majority-vote') =>
      new SampleVoteMethod(strategy, lm, strategy === 'majority-vote' ? undefined : rm, settings).solve(
        { prompt: problem!.question },
        { seed },
      );
    const [bon, mv, wmv] = await Promise.all([
      run('best-of-n'),
      run('majority-vote'),
      run('weighted-majority-vote'),
    ]);

    const expectedBon = bestOfN(answers, scored.rewards);
    expect(bon.completion).toBe(samples[expectedBon.index]!.text);
    expect(bon.reward).toBe(Math.max(...scored.rewards));
    expect(bon.answer).toBe(expectedBon.answer ?? null);
    expect(mv.votes).toEqual(majorityVote(answers).votes);
    expect(mv.reward).toBeNull();
    expect(mv.cost.rewardEvaluations).toBe(0);
    expect(wmv.votes).toEqual(weightedMajorityVote(answers, scored.rewards, 0.5).votes);
    for (const r of [bon, mv, wmv]) {
      expect(r.outputs).toBe(12);
      expect(r.cost.generatedTokens).toBe(samples.reduce((t, s) => t + s.tokens.length, 0));
    }
    expect(bon.cost.rewardEvaluations).toBe(12);
    expect(bon.cost.rewardFlops).toBe(2 * rm.config.numParameters * scored.tokens.reduce((a, b) => a + b, 0));
  }, 60_000);

  it('best-of-n never picks a NaN reward, and counts and logs them', async () => {
    const broken = {
      config: rm.config,
      score: async (pairs: readonly { prompt: string; completion: string }[]) =>
        (await rm.score(pairs)).map((r, i) => (i % 2 === 0 ? Number.NaN : r)),
    } as unknown as RewardModel;
    const logged: string[] = [];
    const method = new SampleVoteMethod('best-of-n', lm, broken, settings, (m) => logged.push(m));
    const result = await method.solve({ prompt: problem!.question }, { seed: 1 });
    expect(result.nanRewards).toBe(6);
    expect(result.reward).not.toBeNull();
    expect(logged).toEqual(['best-of-n: 6 of 12 samples have a NaN reward; they get no weight']);
  }, 60_000);
});
