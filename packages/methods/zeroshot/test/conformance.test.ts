import type { ImageClassifierMethod } from '@attune/contracts';
import { describeConformance } from '@attune/standard-tests';
import { zeroshot, zeroshotEnsemble } from '../src/plugin.js';
import { mnistClassNames, mnistTestImage, modelRegistry } from './support/fixtures.js';

// A real MNIST test image (index 0, a seven) against four of the classes.
const { image } = mnistTestImage(0);
const classNames = mnistClassNames.slice(4, 8);

const exercise = async (method: ImageClassifierMethod, seed: number) => {
  const result = await method.classify({ image, classNames }, { seed });
  return { prediction: result.prediction, probs: result.probs.map((p) => Number(p.toFixed(6))) };
};

for (const plugin of [zeroshot, zeroshotEnsemble]) {
  describeConformance({
    plugin,
    registry: () => modelRegistry(plugin),
    exercise,
    badConfigs: [
      { label: 'model = ""', config: { model: '' }, path: 'model' },
      plugin === zeroshot
        ? { label: 'template without "{}"', config: { template: 'a photo' }, path: 'template' }
        : { label: 'a template without "{}"', config: { templates: ['a photo'] }, path: 'templates.0' },
    ],
  });
}
