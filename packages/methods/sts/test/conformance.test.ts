import { describeConformance } from '@attune/standard-tests';
import type { StsClassifier } from '../src/method.js';
import { sts, stsEnsemble } from '../src/plugin.js';
import { mnistClassNames, mnistTestImage, modelRegistry } from './support/fixtures.js';

// A real MNIST test image (index 0, a seven) against four of the classes, with the default 64 views.
const { image } = mnistTestImage(0);
const classNames = mnistClassNames.slice(4, 8);

const exercise = async (method: StsClassifier, seed: number) => {
  const result = await method.classify({ image, classNames }, { seed });
  return {
    prediction: result.prediction,
    probs: result.probs.map((p) => Number(p.toFixed(6))),
    keptViews: result.adaptation.keptViews,
  };
};

for (const plugin of [sts, stsEnsemble]) {
  describeConformance({
    plugin,
    registry: () => modelRegistry(plugin),
    exercise,
    badConfigs: [
      { label: 'rank = 0', config: { rank: 0 }, path: 'rank' },
      { label: 'rank = "auto"', config: { rank: 'auto' }, path: 'rank' },
      { label: 'selection = 0', config: { selection: 0 }, path: 'selection' },
      { label: 'selection = 1.5', config: { selection: 1.5 }, path: 'selection' },
      { label: 'steps = 0', config: { steps: 0 }, path: 'steps' },
      { label: 'lr = -1', config: { lr: -1 }, path: 'lr' },
      { label: 'lambda = -0.1', config: { lambda: -0.1 }, path: 'lambda' },
      { label: 'views = 0', config: { views: 0 }, path: 'views' },
      plugin === sts
        ? { label: 'template without "{}"', config: { template: 'a photo' }, path: 'template' }
        : { label: 'a template without "{}"', config: { templates: ['a photo'] }, path: 'templates.0' },
    ],
  });
}
