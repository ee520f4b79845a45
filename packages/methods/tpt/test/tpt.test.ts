// The tpt plugin on real MNIST test images with the zoo's mini-CLIP: what a call returns, episodic reset,
// caller-supplied views, and the errors a wrong call gets.

import { buildTestTimeViews, testTimeViews } from '@attune/clip-kit';
import type { ClassifyResult } from '@attune/contracts';
import { InvalidConfigError } from '@attune/registry';
import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tptConfig } from '../src/config.js';
import type { TptClassifier } from '../src/method.js';
import { tptPlugin } from '../src/plugin.js';
import { MNIST_CLASSES, mnistTestImage, TEST_MODEL, testRegistry } from './fixtures.js';

// Small enough to be quick: 16 views, int(16 · 0.25) = 4 kept.
const FAST = { model: TEST_MODEL, views: 16, selection: 0.25 };
const registry = testRegistry(tptPlugin);
const create = (config: Record<string, unknown> = FAST, seed = 0) =>
  registry.create<TptClassifier>('tpt', config, { seed });

/** A result without its wall times, for equality. */
function numbers(result: ClassifyResult) {
  const { ms, ...adaptation } = result.adaptation;
  return { ...result, adaptation };
}

const a = mnistTestImage(0);
const b = mnistTestImage(1);

describe('tpt classify', () => {
  let method: TptClassifier;
  let first: ClassifyResult;

  beforeAll(async () => {
    method = await create();
    first = await method.classify({ image: a.image, classNames: MNIST_CLASSES });
  }, 60_000);
  afterAll(() => method?.dispose());

  it('predicts one of the classes with a probability vector and a top-5', () => {
    expect(MNIST_CLASSES).toContain(first.prediction);
    expect(first.prediction).toBe(MNIST_CLASSES[first.index]);
    expect(first.probs).toHaveLength(10);
    expect(first.probs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
    expect(first.top5.map((t) => t.label)[0]).toBe(first.prediction);
    expect(first.top5).toHaveLength(5);
  });

  it('reports int(16 · 0.25) = 4 kept views, 1 step, entropies and per-stage times', () => {
    const { adaptation } = first;
    expect(adaptation.viewsKept).toBe(4);
    expect(adaptation.steps).toBe(1);
    expect(adaptation.entropyBefore).toBeGreaterThan(0);
    expect(adaptation.entropyBefore).toBeLessThanOrEqual(Math.log(10) + 1e-6);
    expect(Object.keys(adaptation.ms).sort()).toEqual(['encode', 'predict', 'tune', 'views']);
  });

  it('lowers the marginal entropy of the kept views (the objective it minimises)', () => {
    expect(first.adaptation.entropyAfter!).toBeLessThan(first.adaptation.entropyBefore!);
  });

  it('is episodic: classifying A then B gives exactly what a fresh instance gives on B', async () => {
    const afterA = await method.classify({ image: b.image, classNames: MNIST_CLASSES });
    const fresh = await create();
    try {
      const onlyB = await fresh.classify({ image: b.image, classNames: MNIST_CLASSES });
      expect(numbers(afterA)).toEqual(numbers(onlyB));
    } finally {
      await fresh.dispose();
    }
    // And A again gives A's first result: nothing carried over from B either.
    expect(numbers(await method.classify({ image: a.image, classNames: MNIST_CLASSES }))).toEqual(
      numbers(first),
    );
  }, 60_000);

  it('runs concurrent calls one at a time: each gets what it would get alone', async () => {
    const [onA, onB] = await Promise.all([
      method.classify({ image: a.image, classNames: MNIST_CLASSES }),
      method.classify({ image: b.image, classNames: MNIST_CLASSES }),
    ]);
    expect(numbers(onA!)).toEqual(numbers(first));
    expect(numbers(onB!)).toEqual(
      numbers(await method.classify({ image: b.image, classNames: MNIST_CLASSES })),
    );
  }, 60_000);

  it('gives the same result for views passed in as for the views it makes with the same seed', async () => {
    const views = await buildTestTimeViews(method.model, a.image, { views: 16, seed: 0, augmix: false });
    try {
      const given = await method.classify({ image: a.image, classNames: MNIST_CLASSES, views });
      expect(numbers(given).probs).toEqual(first.probs);
      expect(given.adaptation.ms.views).toBeUndefined();
    } finally {
      views.dispose();
    }
  }, 60_000);

  it("makes its views' crops with onnxruntime's resize by default, PIL's passes with viewResize 'pil'", async () => {
    const native = await buildTestTimeViews(method.model, a.image, { views: 16, seed: 0 });
    const pil = testTimeViews(method.model, a.image, { views: 16, seed: 0 });
    const viaPil = await buildTestTimeViews(method.model, a.image, { views: 16, seed: 0, resize: 'pil' });
    try {
      expect(Array.from(viaPil.dataSync())).toEqual(Array.from(pil.dataSync()));
      // The same crops and flips; the levels agree to one 8-bit step.
      const worst = tf.tidy(() => tf.max(tf.abs(tf.sub(native, pil))).dataSync()[0]!);
      expect(worst).toBeLessThanOrEqual(2 / 255 + 1e-6);
    } finally {
      tf.dispose([native, pil, viaPil]);
    }
  }, 60_000);

  it('uses the call seed for the views: another seed gives other views and other numbers', async () => {
    const other = await method.classify({ image: a.image, classNames: MNIST_CLASSES }, { seed: 7 });
    expect(other.adaptation.entropyBefore).not.toBe(first.adaptation.entropyBefore);
  }, 60_000);

  it('follows a change of class list (prompts rebuilt for the new classes)', async () => {
    const subset = ['three', 'seven', 'nine'];
    const result = await method.classify({ image: a.image, classNames: subset });
    expect(result.probs).toHaveLength(3);
    const fresh = await create();
    try {
      expect(numbers(await fresh.classify({ image: a.image, classNames: subset }))).toEqual(numbers(result));
    } finally {
      await fresh.dispose();
    }
  }, 60_000);

  it('an lr that drives the logits to NaN is an error naming the phase and lr, not only "logits contain NaN"', async () => {
    const wild = await create({ ...FAST, lr: 1e30, steps: 2 });
    await expect(wild.classify({ image: a.image, classNames: MNIST_CLASSES })).rejects.toThrow(
      /^tpt: the values became non-finite at .*\(.*contain NaN.*\); the setting most likely responsible: lr = 1e\+30 \(default 0\.005\)/,
    );
    await wild.dispose();
  });

  it('refuses a call without classes, or with views of the wrong shape, saying what is expected', async () => {
    await expect(method.classify({ image: a.image, classNames: [] })).rejects.toThrow(/class/i);
    const flat = tf.zeros([4, 28, 28]) as unknown as tf.Tensor4D;
    try {
      await expect(
        method.classify({ image: a.image, classNames: MNIST_CLASSES, views: flat }),
      ).rejects.toThrow(/expected views \[N,3,H,W\]/);
    } finally {
      flat.dispose();
    }
  });
});

describe('tpt config', () => {
  it("has TPT's defaults", () => {
    expect(tptConfig.parse({})).toEqual({
      model: 'zoo:mini-clip',
      views: 64,
      selection: 0.1,
      steps: 1,
      lr: 5e-3,
      weightDecay: 0.01,
      eps: 1e-8,
      nCtx: 4,
      initText: 'a photo of a',
      augmix: false,
      seed: 0,
      classChunk: 'auto',
      gradients: 'auto',
      padding: 'auto',
      viewResize: 'onnx',
      tfjsBackend: 'auto',
    });
  });

  it('rejects an nCtx that contradicts the init text, naming nCtx and the right value', () => {
    let error: unknown;
    try {
      registry.parseConfig('tpt', { nCtx: 8 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).problems.map((p) => p.path)).toContain('nCtx');
    expect((error as Error).message).toMatch(/set nCtx to 4/);
  });

  it('passes the augmix switch to the views: the same seed gives other views with AugMix', async () => {
    const plain = await create({ ...FAST, views: 8 });
    const mixed = await create({ ...FAST, views: 8, augmix: true });
    try {
      const [p, m] = [
        await plain.classify({ image: a.image, classNames: MNIST_CLASSES }),
        await mixed.classify({ image: a.image, classNames: MNIST_CLASSES }),
      ];
      expect(m.adaptation.entropyBefore).not.toBe(p.adaptation.entropyBefore);
    } finally {
      await plain.dispose();
      await mixed.dispose();
    }
  }, 60_000);

  it('starts from a seeded random context when initText is empty', async () => {
    const method = await create({ ...FAST, initText: '', nCtx: 2, views: 8 }, 3);
    try {
      const result = await method.classify({ image: a.image, classNames: MNIST_CLASSES });
      expect(result.adaptation.viewsKept).toBe(2);
      expect(result.probs).toHaveLength(10);
    } finally {
      await method.dispose();
    }
  }, 60_000);
});
