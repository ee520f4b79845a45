// The @attune/standard-tests kit: schema round-trip, bad configs, create/dispose, determinism under a seed,
// no tensor leaks — on a real MNIST test image with the zoo's mini-CLIP, few classes and few views, the
// generated views passed with the call.
import { describeConformance } from '@attune/standard-tests';
import { tf } from '@attune/tensor';
import { type DiffTptClassifier, difftptPlugin } from '../src/plugin.js';
import { centreView } from '../src/variations.js';
import { mnistTestImage, TEST_MODEL, testRegistry } from './fixtures.js';

const image = mnistTestImage(0);
// Stand-ins for diffusion variations, passed with the call: the 3 MNIST test images after the test image.
const generatedImages = [1, 2, 3].map((i) => {
  const raw = mnistTestImage(i);
  return centreView(
    { width: 28, height: 28, channels: 1, data: Float32Array.from(raw.data, (v) => v / 255) },
    28,
  );
});

describeConformance<DiffTptClassifier, { prediction: string; probs: number[] }>({
  plugin: difftptPlugin,
  registry: () => testRegistry(difftptPlugin),
  config: { model: TEST_MODEL, augmentedViews: 4, generatedViews: 3, steps: 2 },
  exercise: async (method, seed) => {
    const generatedViews = tf.tensor4d(
      Float32Array.from(generatedImages.flatMap((v) => Array.from(v))),
      [3, 3, 28, 28],
    );
    try {
      const result = await method.classify(
        { image, classNames: ['one', 'seven', 'nine'], generatedViews },
        { seed },
      );
      return { prediction: result.prediction, probs: result.probs.map((p) => Math.round(p * 1e4) / 1e4) };
    } finally {
      generatedViews.dispose();
    }
  },
  badConfigs: [
    { label: 'cosineSelection = 0', config: { cosineSelection: 0 }, path: 'cosineSelection' },
    { label: 'selection above 1', config: { selection: 1.5 }, path: 'selection' },
    { label: 'an unknown filter', config: { filter: 'both' }, path: 'filter' },
    { label: 'nCtx contradicting initText', config: { nCtx: 2 }, path: 'nCtx' },
  ],
});
