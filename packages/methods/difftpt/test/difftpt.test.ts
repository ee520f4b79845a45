// The difftpt plugin on a real MNIST test image: generated views from a folder of PNG variations or from the
// call, the filter sizes, episodic reset, and the errors a wrong call gets.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClassifyResult, RawImage } from '@attune/contracts';
import { MNIST_CLASS_NAMES } from '@attune/data';
import { loadImageVariationModel } from '@attune/models';
import { tf } from '@attune/tensor';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { difftptConfig } from '../src/config.js';
import { type DiffTptClassifier, difftptPlugin } from '../src/plugin.js';
import { centreView, readVariationFolder, variationPath } from '../src/variations.js';
import { mnistTestImage, TEST_MODEL, testRegistry } from './fixtures.js';

const CLASSES: readonly string[] = MNIST_CLASS_NAMES;
// 1 + 8 + 7 = 16 views: int(15 · 0.8) = 12 by cosine, + view 0 = 13, int(13 · 0.3) = 3 kept.
const FAST = { model: TEST_MODEL, augmentedViews: 8, generatedViews: 7, steps: 2 };
const registry = testRegistry(difftptPlugin);
const create = (config: Record<string, unknown>, seed = 0) =>
  registry.create<DiffTptClassifier>('difftpt', config, { seed });

function numbers(result: ClassifyResult) {
  const { ms, ...adaptation } = result.adaptation;
  return { ...result, adaptation };
}

/** A grey image as an RGBA PNG file, as an image-variation model's output would be saved. */
function writePng(path: string, image: RawImage): void {
  const png = new PNG({ width: image.width, height: image.height });
  for (let i = 0; i < image.width * image.height; i++) {
    const v = image.data[i]!;
    png.data.set([v, v, v, 255], i * 4);
  }
  writeFileSync(path, PNG.sync.write(png));
}

// The folder's "variations" are real images (reading them, not generating them, is under test here): the
// MNIST test images that follow.
const image = mnistTestImage(0);
const folderImages = [1, 2, 3, 4, 5, 6, 7].map(mnistTestImage);

describe('generated views from a folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'difftpt-'));
    folderImages.forEach((v, i) => {
      writePng(join(dir, `mnist-test-0_${i}.png`), v);
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names files as the released code does: <name>_<i> with the name's extension, else .png", () => {
    expect(variationPath('/d', 'n01443537/img_7.JPEG', 3)).toBe('/d/n01443537/img_7_3.JPEG');
    expect(variationPath('/d', 'mnist-test-0', 0)).toBe('/d/mnist-test-0_0.png');
  });

  it('reads them resized and centre-cropped like view 0, in [0,1]', () => {
    const views = readVariationFolder(dir, 'mnist-test-0', 7, 28);
    try {
      expect(views.shape).toEqual([7, 3, 28, 28]);
      const first = views.slice([0, 0, 0, 0], [1, 1, 28, 28]).dataSync();
      expect(Array.from(first).map((v) => Math.round(v * 255))).toEqual(Array.from(folderImages[0]!.data));
    } finally {
      views.dispose();
    }
  });

  it('says which file is missing and how they are named', () => {
    expect(() => readVariationFolder(dir, 'mnist-test-0', 9, 28)).toThrow(/mnist-test-0_7\.png/);
    expect(() => readVariationFolder(dir, '', 7, 28)).toThrow(/needs the input's name/);
  });

  describe('classify', () => {
    let method: DiffTptClassifier;
    let result: ClassifyResult;
    beforeAll(async () => {
      method = await create({ ...FAST, variationsDir: dir });
      result = await method.classify({ image, classNames: CLASSES, name: 'mnist-test-0' });
    }, 60_000);
    afterAll(() => method?.dispose());

    it("keeps int(13 · 0.3) = 3 views, takes 2 steps and lowers the kept views' entropy", () => {
      expect(result.adaptation.viewsKept).toBe(3);
      expect(result.adaptation.steps).toBe(2);
      expect(result.adaptation.entropyAfter!).toBeLessThan(result.adaptation.entropyBefore!);
      expect(Object.keys(result.adaptation.ms).sort()).toEqual([
        'encode',
        'generate',
        'predict',
        'tune',
        'views',
      ]);
      expect(result.probs).toHaveLength(10);
    });

    it('gives the same result for the same images passed as generatedViews', async () => {
      const data = new Float32Array(7 * 3 * 28 * 28);
      folderImages.forEach((v, i) => {
        const planar = centreView(
          { width: 28, height: 28, channels: 1, data: Float32Array.from(v.data, (x) => x / 255) },
          28,
        );
        data.set(planar, i * planar.length);
      });
      const generatedViews = tf.tensor4d(data, [7, 3, 28, 28]);
      try {
        const given = await method.classify({ image, classNames: CLASSES, generatedViews });
        expect(numbers(given).probs).toEqual(result.probs);
        expect(given.adaptation.ms.generate).toBeUndefined();
      } finally {
        generatedViews.dispose();
      }
    }, 60_000);

    it('is episodic: another image in between changes nothing', async () => {
      await method.classify({ image: mnistTestImage(1), classNames: CLASSES, name: 'mnist-test-0' });
      const again = await method.classify({ image, classNames: CLASSES, name: 'mnist-test-0' });
      expect(numbers(again)).toEqual(numbers(result));
    }, 60_000);

    it("runs the paper's filter as an option (its own selection sizes)", async () => {
      const paper = await create({ ...FAST, variationsDir: dir, filter: 'paper' });
      try {
        const r = await paper.classify({ image, classNames: CLASSES, name: 'mnist-test-0' });
        // int(9 · 0.3) = 2 conventional; int(7 · 0.8) = 5 by cosine, int(5 · 0.3) = 1 of those.
        expect(r.adaptation.viewsKept).toBe(3);
        expect(r.probs).not.toEqual(result.probs);
      } finally {
        await paper.dispose();
      }
    }, 60_000);
  });
});

describe('generated views from the image-variation model (zoo:mini-diffusion)', () => {
  it('generates them at run time, seeded by the call, exactly as ImageVariationModel.generateVariations does', async () => {
    const method = await create({ ...FAST });
    const generator = await loadImageVariationModel('zoo:mini-diffusion');
    try {
      const generated = await method.classify({ image, classNames: CLASSES }, { seed: 3 });
      expect(generated.adaptation.ms.generate).toBeGreaterThan(0);
      expect(generated.adaptation.viewsKept).toBe(3);
      const views = await generator.generateVariations(image, 7, { seed: 3, guidance: 3 });
      try {
        expect(views.shape).toEqual([7, 3, 28, 28]);
        const given = await method.classify(
          { image, classNames: CLASSES, generatedViews: views },
          { seed: 3 },
        );
        expect(given.probs).toEqual(generated.probs);
        expect(given.adaptation.entropyBefore).toBe(generated.adaptation.entropyBefore);
      } finally {
        views.dispose();
      }
      const otherSeed = await method.classify({ image, classNames: CLASSES }, { seed: 4 });
      expect(otherSeed.adaptation.entropyBefore).not.toBe(generated.adaptation.entropyBefore);
    } finally {
      await generator.dispose();
      await method.dispose();
    }
  }, 120_000);
});

describe('difftpt when its image-variation model cannot be loaded', () => {
  it('says which image-variation model failed and how else to give it views', async () => {
    const method = await create({ ...FAST, diffusionModel: 'zoo:no-such-diffusion' });
    try {
      await expect(method.classify({ image, classNames: CLASSES })).rejects.toThrow(
        /cannot generate views with zoo:no-such-diffusion: .*Pass generatedViews with the input, or set variationsDir/,
      );
    } finally {
      await method.dispose();
    }
  }, 60_000);

  it('refuses generatedViews of the wrong shape', async () => {
    const method = await create({ ...FAST });
    const flat = tf.zeros([7, 28, 28]) as unknown as tf.Tensor4D;
    try {
      await expect(method.classify({ image, classNames: CLASSES, generatedViews: flat })).rejects.toThrow(
        /expected generatedViews as a tf.Tensor4D \[G,3,H,W\]/,
      );
    } finally {
      flat.dispose();
      await method.dispose();
    }
  }, 60_000);
});

describe('difftpt config', () => {
  it("has DiffTPT's defaults: 64 + 63 views, cosine 0.8, entropy 0.3, 4 steps, lr 5e-3, the code's filter", () => {
    const defaults = difftptConfig.parse({});
    expect(defaults).toMatchObject({
      augmentedViews: 64,
      generatedViews: 63,
      cosineSelection: 0.8,
      selection: 0.3,
      steps: 4,
      lr: 5e-3,
      weightDecay: 0.01,
      eps: 1e-8,
      nCtx: 4,
      initText: 'a photo of a',
      filter: 'code',
      variationsDir: '',
      guidanceScale: 3,
      classChunk: 'auto',
    });
    expect(difftptConfig.parse({ classChunk: 3 }).classChunk).toBe(3);
    expect(() => difftptConfig.parse({ classChunk: 0 })).toThrow();
  });

  it('passes classChunk to the tuning: chunks of 3 classes give what one pass gives, leaking nothing', async () => {
    const generatedViews = tf.randomUniform([7, 3, 28, 28], 0, 1, 'float32', 7) as tf.Tensor4D;
    const onePass = await create({ ...FAST, classChunk: 10 });
    const chunked = await create({ ...FAST, classChunk: 3 });
    try {
      const input = { image, classNames: CLASSES, generatedViews };
      const expected = await onePass.classify(input);
      await chunked.prepareClasses(CLASSES);
      await chunked.classify(input); // creates what an instance keeps: ctx and AdamW's moments
      const before = tf.memory().numTensors;
      const actual = await chunked.classify(input);
      expect(tf.memory().numTensors).toBe(before);
      expect(actual.adaptation.viewsKept).toBe(expected.adaptation.viewsKept);
      expect(actual.prediction).toBe(expected.prediction);
      const diff = Math.max(...actual.probs.map((p, i) => Math.abs(p - expected.probs[i]!)));
      expect(diff).toBeLessThan(1e-6);
    } finally {
      generatedViews.dispose();
      await onePass.dispose();
      await chunked.dispose();
    }
  }, 60_000);
});
