// A sanity check on real data, not a benchmark (pnpm bench runs those): STS and STS_Ensemble against the
// matching zero-shot baselines on the first 40 MNIST test images with mini-CLIP. On 40 clean images STS is
// not expected to win; it must run and stay within a few points.
import type { ImageClassifierMethod } from '@attune/contracts';
import { zeroshot, zeroshotEnsemble } from '@attune/method-zeroshot';
import { describe, expect, it } from 'vitest';
import { sts, stsEnsemble } from '../src/plugin.js';
import { mnistClassNames, mnistTestImage, modelRegistry } from './support/fixtures.js';

const SAMPLES = 40;
const registry = modelRegistry(sts, stsEnsemble, zeroshot, zeroshotEnsemble);

async function accuracy(name: string): Promise<number> {
  const method = await registry.create<ImageClassifierMethod>(name, {}, { seed: 0 });
  let correct = 0;
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const { image, label } = mnistTestImage(i);
      const result = await method.classify({ image, classNames: mnistClassNames }, { seed: i });
      if (result.index === label) correct++;
    }
  } finally {
    await method.dispose();
  }
  return correct / SAMPLES;
}

describe(`accuracy on the first ${SAMPLES} MNIST test images (mini-CLIP)`, () => {
  for (const [method, baseline] of [
    ['sts', 'zeroshot'],
    ['sts-ensemble', 'zeroshot-ensemble'],
  ] as const) {
    it(`${method} stays within 5 points of ${baseline} (>= 85 %)`, async () => {
      const base = await accuracy(baseline);
      const steered = await accuracy(method);
      console.log(
        `${baseline}: ${(100 * base).toFixed(1)} %, ${method}: ${(100 * steered).toFixed(1)} % top-1 on ${SAMPLES} MNIST test images`,
      );
      expect(base).toBeGreaterThanOrEqual(0.85);
      expect(Math.abs(steered - base)).toBeLessThanOrEqual(0.05);
    }, 120_000);
  }
});
