// The plugin instance on the real model stack: mini-CLIP through the registry, real MNIST images.

import { tfjsBackendPlugin } from '@attune/backend-tfjs/plugin';
import { buildTestTimeViews } from '@attune/clip-kit';
import type { ImageClassifierMethod } from '@attune/contracts';
import { zeroshot } from '@attune/method-zeroshot';
import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StsClassifier } from '../src/method.js';
import { sts, stsEnsemble } from '../src/plugin.js';
import { spectralBasis } from '../src/sts.js';
import { mnistClassNames, mnistTestImage, modelRegistry } from './support/fixtures.js';

const registry = modelRegistry(sts, stsEnsemble, zeroshot);
const classNames = mnistClassNames;
let method: StsClassifier;

beforeAll(async () => {
  method = await registry.create<StsClassifier>('sts', {}, { seed: 0 });
});
afterAll(async () => {
  await method.dispose();
});

describe('sts', () => {
  it('reports the adaptation: 6 of 64 views kept, one step, k, entropies and timings', async () => {
    const { image } = mnistTestImage(1);
    const result = await method.classify({ image, classNames });
    const a = result.adaptation;
    expect(a.viewsKept).toBe(6);
    expect(a.keptViews.length).toBe(6);
    for (const v of a.keptViews) expect(v >= 0 && v < 64).toBe(true);
    expect(a.steps).toBe(1);
    const prototypes = await method.model.classPrototypes(classNames, ['a photo of a {}.']);
    const space = spectralBasis(prototypes);
    expect(a.k).toBe(space.rank);
    space.basis.dispose();
    expect(Number.isFinite(a.entropyBefore) && Number.isFinite(a.entropyAfter)).toBe(true);
    expect(a.entropyAfter).toBeLessThanOrEqual(a.entropyBefore);
    // one AdamW step from 0 moves each of the k components by about lr: ‖Bγ‖ ≈ lr·√k
    expect(a.shiftNorm).toBeCloseTo(5e-3 * Math.sqrt(a.k), 4);
    expect(Object.keys(a.ms)).toEqual(['prototypes', 'views', 'encode', 'adapt', 'predict']);
    expect(result.probs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    expect(result.prediction).toBe(classNames[result.index]);
  });

  it('is episodic: after classifying A, B gives exactly what a fresh instance gives for B', async () => {
    const a = mnistTestImage(2).image;
    const b = mnistTestImage(3).image;
    const used = await registry.create<StsClassifier>('sts', {}, { seed: 0 });
    const fresh = await registry.create<StsClassifier>('sts', {}, { seed: 0 });
    await used.classify({ image: a, classNames }, { seed: 7 });
    const afterA = await used.classify({ image: b, classNames }, { seed: 7 });
    const alone = await fresh.classify({ image: b, classNames }, { seed: 7 });
    const { ms: _a, ...restAfterA } = afterA.adaptation;
    const { ms: _b, ...restAlone } = alone.adaptation;
    expect(afterA.probs).toEqual(alone.probs);
    expect(restAfterA).toEqual(restAlone);
    await used.dispose();
    await fresh.dispose();
  });

  it('uses the views it is given (view 0 = the image) exactly as the ones it makes with the same seed', async () => {
    const { image } = mnistTestImage(4);
    const views = await buildTestTimeViews(method.model, image, { views: 64, seed: 11 });
    const given = await method.classify({ image, classNames, views });
    const made = await method.classify({ image, classNames }, { seed: 11 });
    expect(views.isDisposed).toBe(false); // the caller keeps ownership
    views.dispose();
    expect(given.probs).toEqual(made.probs);
    expect(given.adaptation.keptViews).toEqual(made.adaptation.keptViews);
    const otherSeed = await method.classify({ image, classNames }, { seed: 12 });
    expect(otherSeed.adaptation.keptViews).not.toEqual(made.adaptation.keptViews);
  });

  it('at a negligible learning rate predicts exactly what zero-shot predicts (same view 0, prototypes, scale)', async () => {
    const still = await registry.create<StsClassifier>('sts', { lr: 1e-12 });
    const baseline = await registry.create<ImageClassifierMethod>('zeroshot');
    for (const index of [0, 8]) {
      const { image } = mnistTestImage(index);
      const steered = await still.classify({ image, classNames });
      const plain = await baseline.classify({ image, classNames });
      steered.probs.forEach((p, i) => {
        expect(p).toBeCloseTo(plain.probs[i]!, 5);
      });
    }
    await still.dispose();
    await baseline.dispose();
  });

  it('computes the spectral basis once per class set', async () => {
    const fresh = await registry.create<StsClassifier>('sts', { views: 8 });
    const { image } = mnistTestImage(0);
    await fresh.classify({ image, classNames });
    await fresh.classify({ image, classNames });
    expect(fresh.cachedBases).toBe(1);
    const before = tf.memory().numTensors;
    await fresh.classify({ image, classNames: classNames.slice(0, 5) });
    expect(fresh.cachedBases).toBe(2);
    expect(tf.memory().numTensors).toBe(before + 2); // its prototypes (model cache) and its basis
    await fresh.dispose();
  });

  it("'kept-average' and a fixed rank are honoured", async () => {
    const custom = await registry.create<StsClassifier>('sts', {
      rank: 3,
      predict: 'kept-average',
      views: 16,
    });
    const { image } = mnistTestImage(0);
    const result = await custom.classify({ image, classNames });
    expect(result.adaptation.k).toBe(3);
    expect(result.adaptation.viewsKept).toBe(1); // int(16 · 0.1) = 1
    await custom.dispose();
  });

  it('says what is wrong with bad inputs and impossible ranks', async () => {
    const { image } = mnistTestImage(0);
    await expect(method.classify({ image, classNames: [] })).rejects.toThrow(/at least one class name/);
    const flat = tf.zeros([64, 28, 28]) as unknown as tf.Tensor4D;
    await expect(method.classify({ image, classNames, views: flat })).rejects.toThrow(/\[N,3,H,W\]/);
    flat.dispose();
    const big = await registry.create<StsClassifier>('sts', { rank: 20 });
    await expect(big.classify({ image, classNames })).rejects.toThrow(/rank 20 .* \[1, 10\]/);
    await big.dispose();
    await expect(
      method.classify({
        image: { data: new Uint8Array(10), width: 28, height: 28, channels: 1 },
        classNames,
      }),
    ).rejects.toThrow(/expected 784 values/);
  });

  it('an lr that drives the logits to NaN is an error naming the phase and lr, not only "logits contain NaN"', async () => {
    const { image } = mnistTestImage(0);
    const wild = await registry.create<StsClassifier>('sts', { lr: 1e30, steps: 2, views: 16 });
    await expect(wild.classify({ image, classNames })).rejects.toThrow(
      /^sts: the values became non-finite at .*\(.*contain NaN.*\); the setting most likely responsible: lr = 1e\+30 \(default 0\.005\)/,
    );
    await wild.dispose();
  });
});

describe("sts on the registry's tfjs backend", () => {
  it("runs on the input-grad provider's backend whatever was active before, and says so", async () => {
    const withTfjs = modelRegistry(sts, tfjsBackendPlugin);
    const method = await withTfjs.create<StsClassifier>('sts', { views: 16 }, { seed: 0 });
    const chosen = method.backend.split('+ tfjs ')[1]!;
    expect(chosen).toMatch(/^(wasm|tensorflow|cpu)$/);
    const { image } = mnistTestImage(0);
    await tf.setBackend(chosen === 'cpu' ? 'wasm' : 'cpu'); // something else switched tfjs meanwhile
    const first = await method.classify({ image, classNames });
    expect(tf.getBackend()).toBe(chosen);
    await tf.setBackend(chosen === 'cpu' ? 'wasm' : 'cpu');
    const again = await method.classify({ image, classNames });
    expect(again.probs).toEqual(first.probs);
    await method.dispose();
  });
});

describe('sts-ensemble', () => {
  it("averages the prototypes over the model's 7 ensemble templates", async () => {
    const ensemble = await registry.create<StsClassifier>('sts-ensemble', { views: 8 });
    expect(ensemble.templates).toEqual(ensemble.model.config.ensembleTemplates);
    expect(ensemble.templates.length).toBe(7);
    const result = await ensemble.classify({ image: mnistTestImage(0).image, classNames });
    expect(result.probs.length).toBe(10);
    await ensemble.dispose();
  });
});
