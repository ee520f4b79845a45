// A sanity check on real data, not a benchmark (pnpm bench runs those): mini-CLIP zero-shot on the first 40
// MNIST test images.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zeroshot, zeroshotEnsemble } from '../src/plugin.js';
import type { ZeroShotClassifier } from '../src/zeroshot.js';
import { mnistClassNames, mnistTestImage, modelRegistry } from './support/fixtures.js';

const SAMPLES = 40;
const registry = modelRegistry(zeroshot, zeroshotEnsemble);
const methods: Record<string, ZeroShotClassifier> = {};

beforeAll(async () => {
  methods.zeroshot = await registry.create<ZeroShotClassifier>('zeroshot');
  methods['zeroshot-ensemble'] = await registry.create<ZeroShotClassifier>('zeroshot-ensemble');
});
afterAll(async () => {
  for (const method of Object.values(methods)) await method.dispose();
});

async function accuracy(method: ZeroShotClassifier): Promise<number> {
  let correct = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const { image, label } = mnistTestImage(i);
    const result = await method.classify({ image, classNames: mnistClassNames });
    if (result.index === label) correct++;
  }
  return correct / SAMPLES;
}

describe(`zero-shot accuracy on the first ${SAMPLES} MNIST test images (mini-CLIP)`, () => {
  for (const name of ['zeroshot', 'zeroshot-ensemble']) {
    it(`${name} reaches at least 85 %`, async () => {
      const top1 = await accuracy(methods[name]!);
      console.log(`${name}: ${(100 * top1).toFixed(1)} % top-1 on ${SAMPLES} MNIST test images`);
      expect(top1).toBeGreaterThanOrEqual(0.85);
    });
  }
});
