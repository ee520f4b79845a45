// The conformance kit on every model plugin: schema round-trip, needs met, bad configs refused naming the
// field, create/dispose without leaks, the same output under the same seed, no tensors leaked across calls.
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { Registry } from '@attune/registry';
import { describeConformance } from '@attune/standard-tests';
import type { CausalLM } from '../src/causal-lm.js';
import type { ImageVariationModel } from '../src/image-variation-model.js';
import type { MoELM } from '../src/moe-lm.js';
import {
  causalLMPlugin,
  clipModelPlugin,
  imageVariationPlugin,
  moeLMPlugin,
  rewardModelPlugin,
} from '../src/plugin.js';
import type { RewardModel } from '../src/reward-model.js';
import type { VisionLanguageModel } from '../src/vision-language-model.js';
import { FIXTURES, TINY_CLIP } from './fixtures.js';
import { mnistTest } from './mnist.js';

const withOnnx =
  (...plugins: Parameters<Registry['register']>[0][]) =>
  () => {
    const registry = new Registry().register(onnxBackendPlugin);
    for (const plugin of plugins) registry.register(plugin);
    return registry;
  };
const digit = mnistTest(1).images[0]!;
const rounded = (values: ArrayLike<number>) => Array.from(values, (v) => Number(v.toFixed(5)));

describeConformance({
  plugin: clipModelPlugin,
  registry: withOnnx(clipModelPlugin),
  config: { source: TINY_CLIP, threads: 1 },
  exercise: async (model: VisionLanguageModel) => {
    const prototypes = await model.classPrototypes(['zero', 'one'], ['a photo of a {}.']);
    return rounded(prototypes.dataSync());
  },
  badConfigs: [{ label: 'threads = -1', config: { threads: -1 }, path: 'threads' }],
});

describeConformance({
  plugin: imageVariationPlugin,
  registry: withOnnx(imageVariationPlugin),
  config: { source: `${FIXTURES}tiny-diffusion`, threads: 1 },
  exercise: async (model: ImageVariationModel, seed: number) => {
    const variations = await model.generateVariations(digit, 1, { seed, steps: 2 });
    const values = rounded(variations.dataSync().slice(0, 16));
    variations.dispose();
    return values;
  },
});

describeConformance({
  plugin: causalLMPlugin,
  registry: withOnnx(causalLMPlugin),
  config: { threads: 1 },
  exercise: async (lm: CausalLM) => {
    const prefix = lm.encode('Question: Mia has 2 apples.\nAnswer:');
    return rounded(await lm.tokenLogProbs(prefix, lm.encode(' 2 + 3 = 5.')));
  },
});

describeConformance({
  plugin: rewardModelPlugin,
  registry: withOnnx(rewardModelPlugin),
  config: { threads: 1 },
  exercise: async (rm: RewardModel) =>
    rounded(
      await rm.score([{ prompt: 'Question: 2 + 3?\nAnswer:', completion: ' 2 + 3 = 5. The answer is 5.' }]),
    ),
});

describeConformance({
  plugin: moeLMPlugin,
  registry: withOnnx(moeLMPlugin),
  config: { threads: 1 },
  exercise: async (lm: MoELM) =>
    rounded(
      (await lm.scoreOptions('Is the word "splendid" positive or negative?', ['positive', 'negative'])).probs,
    ),
});
