// One plugin per strategy rather than one plugin with a `strategy` option: each shows only the options it
// uses (`attune info best-of-n` has no β or steps, majority vote has no reward model), each is its own row in
// `attune list` and its own method identity in benchmark stores, and `needs` can be exact (majority vote and
// greedy do not load a reward model).
import { CAPABILITY } from '@attune/contracts';
import { type CausalLM, createCausalLM, createRewardModel, type RewardModel } from '@attune/models';
import { definePlugin, type PluginContext } from '@attune/registry';
import {
  bestOfNConfig,
  greedyConfig,
  majorityVoteConfig,
  qalignConfig,
  weightedMajorityVoteConfig,
} from './config.js';
import { GreedyMethod, QAlignMethod, SampleVoteMethod } from './method.js';
import { arithmeticSuite } from './suite.js';

export { arithmeticSuite };

const version = '0.1.0';

function modelConfig(source: string, threads: number): { source: string; threads?: number } {
  return threads > 0 ? { source, threads } : { source };
}

/** Loads the LM and (when asked) the reward model through the registry; disposes the LM if the second fails. */
async function loadModels(
  method: string,
  config: { model: string; reward?: string; threads: number },
  context: PluginContext,
): Promise<{ lm: CausalLM; rm: RewardModel | undefined }> {
  const lm = await createCausalLM(method, modelConfig(config.model, config.threads), context);
  if (config.reward === undefined) return { lm, rm: undefined };
  try {
    const rm = await createRewardModel(method, modelConfig(config.reward, config.threads), context);
    return { lm, rm };
  } catch (error) {
    await lm.dispose();
    throw error;
  }
}

/** The instance seed: the registry's (a benchmark's or the CLI's --seed) when given, else config.seed. */
function instanceSeed(context: PluginContext, configSeed: number): number {
  return context.seed ?? configSeed;
}

export const qalignPlugin = definePlugin({
  name: 'qalign',
  kind: 'method',
  version,
  description:
    "QAlign test-time alignment: an MCMC chain over the LM's outputs targeting p(y|x)·exp(r(x,y)/β) with suffix proposals; the answer is the majority vote over the chain's states.",
  config: qalignConfig,
  needs: [CAPABILITY.causalLm, CAPABILITY.rewardModel],
  provides: [CAPABILITY.textAnswer],
  create: async (config, context) => {
    const { lm, rm } = await loadModels('qalign', config, context);
    return new QAlignMethod(lm, rm!, { ...config, seed: instanceSeed(context, config.seed) });
  },
});

export const bestOfNPlugin = definePlugin({
  name: 'best-of-n',
  kind: 'method',
  version,
  description: 'Best-of-n: n ancestral LM samples, the one with the highest reward-model score wins.',
  config: bestOfNConfig,
  needs: [CAPABILITY.causalLm, CAPABILITY.rewardModel],
  provides: [CAPABILITY.textAnswer],
  create: async (config, context) => {
    const { lm, rm } = await loadModels('best-of-n', config, context);
    return new SampleVoteMethod('best-of-n', lm, rm, { ...config, seed: instanceSeed(context, config.seed) });
  },
});

export const majorityVotePlugin = definePlugin({
  name: 'majority-vote',
  kind: 'method',
  version,
  description:
    'Majority vote (self-consistency): n ancestral LM samples, the most frequent extracted answer wins; no reward model.',
  config: majorityVoteConfig,
  needs: [CAPABILITY.causalLm],
  provides: [CAPABILITY.textAnswer],
  create: async (config, context) => {
    const { lm } = await loadModels('majority-vote', config, context);
    return new SampleVoteMethod('majority-vote', lm, undefined, {
      ...config,
      rewardClip: 1,
      seed: instanceSeed(context, config.seed),
    });
  },
});

export const weightedMajorityVotePlugin = definePlugin({
  name: 'weighted-majority-vote',
  kind: 'method',
  version,
  description:
    'Weighted majority vote: n ancestral LM samples, each answer weighted by the softmax(r/β_wmv) mass of the samples that gave it.',
  config: weightedMajorityVoteConfig,
  needs: [CAPABILITY.causalLm, CAPABILITY.rewardModel],
  provides: [CAPABILITY.textAnswer],
  create: async (config, context) => {
    const { lm, rm } = await loadModels('weighted-majority-vote', config, context);
    return new SampleVoteMethod('weighted-majority-vote', lm, rm, {
      ...config,
      seed: instanceSeed(context, config.seed),
    });
  },
});

export const greedyPlugin = definePlugin({
  name: 'greedy',
  kind: 'method',
  version,
  description:
    "Greedy decoding: the LM's argmax output and its extracted answer; the baseline without sampling.",
  config: greedyConfig,
  needs: [CAPABILITY.causalLm],
  provides: [CAPABILITY.textAnswer],
  create: async (config, context) => {
    const { lm } = await loadModels('greedy', config, context);
    return new GreedyMethod(lm, undefined, { ...config, seed: 0 });
  },
});

export default [
  qalignPlugin,
  bestOfNPlugin,
  majorityVotePlugin,
  weightedMajorityVotePlugin,
  greedyPlugin,
  arithmeticSuite,
];
