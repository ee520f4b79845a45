import type { TextAnswerMethod } from '@attune/contracts';
import { describeConformance } from '@attune/standard-tests';
import {
  bestOfNPlugin,
  greedyPlugin,
  majorityVotePlugin,
  qalignPlugin,
  weightedMajorityVotePlugin,
} from '../src/plugin.js';
import { heldoutProblems, modelRegistry } from './support/fixtures.js';

const [problem] = heldoutProblems(1);

/** Everything solve() reports except wall time. */
const exercise = async (method: TextAnswerMethod, seed: number) => {
  const { ms: _ms, ...result } = await method.solve({ prompt: problem!.question }, { seed });
  return result;
};

const small = { maxNewTokens: 20, threads: 1 };

describeConformance({
  plugin: qalignPlugin,
  registry: () => modelRegistry(qalignPlugin),
  config: { ...small, steps: 3 },
  exercise,
  leakRepeats: 1,
  badConfigs: [
    { label: 'steps = 0', config: { steps: 0 }, path: 'steps' },
    { label: 'beta = 0', config: { beta: 0 }, path: 'beta' },
    { label: 'beta = -1', config: { beta: -1 }, path: 'beta' },
    { label: 'rewardClip = 0', config: { rewardClip: 0 }, path: 'rewardClip' },
    { label: 'logRatioClip = -1', config: { logRatioClip: -1 }, path: 'logRatioClip' },
    { label: 'temperature = 0', config: { temperature: 0 }, path: 'temperature' },
    { label: 'template without {question}', config: { template: 'Q:' }, path: 'template' },
    { label: 'model = ""', config: { model: '' }, path: 'model' },
  ],
});

for (const plugin of [bestOfNPlugin, majorityVotePlugin, weightedMajorityVotePlugin]) {
  describeConformance({
    plugin,
    registry: () => modelRegistry(plugin),
    config: { ...small, n: 3 },
    exercise,
    leakRepeats: 1,
    badConfigs: [
      { label: 'n = 0', config: { n: 0 }, path: 'n' },
      { label: 'maxNewTokens = 0', config: { maxNewTokens: 0 }, path: 'maxNewTokens' },
      ...(plugin === weightedMajorityVotePlugin
        ? [{ label: 'betaWmv = 0', config: { betaWmv: 0 }, path: 'betaWmv' }]
        : []),
    ],
  });
}

describeConformance({
  plugin: greedyPlugin,
  registry: () => modelRegistry(greedyPlugin),
  config: small,
  exercise,
  leakRepeats: 1,
  badConfigs: [{ label: 'maxNewTokens = 1.5', config: { maxNewTokens: 1.5 }, path: 'maxNewTokens' }],
});
