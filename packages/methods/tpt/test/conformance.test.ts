// The @attune/standard-tests kit: schema round-trip, bad configs, create/dispose, determinism under a seed,
// no tensor leaks — on a real MNIST test image with the zoo's mini-CLIP, few classes and few views.
import { describeConformance } from '@attune/standard-tests';
import type { TptClassifier } from '../src/method.js';
import { tptPlugin } from '../src/plugin.js';
import { mnistTestImage, TEST_MODEL, testRegistry } from './fixtures.js';

const { image } = mnistTestImage(0);

describeConformance<TptClassifier, { prediction: string; probs: number[] }>({
  plugin: tptPlugin,
  registry: () => testRegistry(tptPlugin),
  config: { model: TEST_MODEL, views: 8, selection: 0.25 },
  exercise: async (method, seed) => {
    const result = await method.classify({ image, classNames: ['one', 'seven', 'nine'] }, { seed });
    return { prediction: result.prediction, probs: result.probs.map((p) => Math.round(p * 1e4) / 1e4) };
  },
  badConfigs: [
    { label: 'views = 1', config: { views: 1 }, path: 'views' },
    { label: 'selection = 0', config: { selection: 0 }, path: 'selection' },
    { label: 'nCtx contradicting initText', config: { nCtx: 3 }, path: 'nCtx' },
    { label: 'an unknown tfjs backend', config: { tfjsBackend: 'webgl' }, path: 'tfjsBackend' },
  ],
});
