import type { RawImage } from '@attune/contracts';
import type { VisionLanguageModel } from '@attune/models';
import { modelEnsembleTemplates } from '@attune/models';
import { l2Normalize, tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zeroshot, zeroshotEnsemble } from '../src/plugin.js';
import type { ZeroShotClassifier } from '../src/zeroshot.js';
import { mnistClassNames, mnistTestImage, modelRegistry } from './support/fixtures.js';

const registry = modelRegistry(zeroshot, zeroshotEnsemble);
let single: ZeroShotClassifier;
let ensemble: ZeroShotClassifier;

beforeAll(async () => {
  single = await registry.create<ZeroShotClassifier>('zeroshot');
  ensemble = await registry.create<ZeroShotClassifier>('zeroshot-ensemble');
});
afterAll(async () => {
  await single.dispose();
  await ensemble.dispose();
});

/** The image as a [1,3,28,28] views tensor in [0,1] (grey replicated to RGB). */
function asViews(image: RawImage): tf.Tensor4D {
  return tf.tidy(() => {
    const grey = tf.div(tf.tensor3d(Float32Array.from(image.data), [1, image.height, image.width]), 255);
    return tf.expandDims(tf.concat([grey, grey, grey], 0), 0) as tf.Tensor4D;
  });
}

describe('zeroshot', () => {
  it('uses "a photo of a {}." and the model ensemble_templates', () => {
    expect(single.templates).toEqual(['a photo of a {}.']);
    expect(ensemble.templates).toEqual(ensemble.model.config.ensembleTemplates);
    expect(ensemble.templates.length).toBe(7);
  });

  it('computes logitScale · cos(image, prototype) from its own encoding, as CLIP does', async () => {
    const { image } = mnistTestImage(3);
    const result = await single.classify({ image, classNames: mnistClassNames });
    // the reference: encode the text prompts and the image directly and score them by hand
    const model = single.model;
    const text = await model.encodeTexts(mnistClassNames.map((c) => `a photo of a ${c}.`));
    const pixels = tf.tidy(() => tf.expandDims(model.preprocess(image), 0) as tf.Tensor4D);
    const img = await model.encodeImages(pixels);
    const probs = tf.tidy(() =>
      tf.softmax(tf.mul(tf.matMul(l2Normalize(img), l2Normalize(text), false, true), model.logitScale)),
    );
    const expected = Array.from(probs.dataSync());
    tf.dispose([text, pixels, img, probs]);
    expect(result.probs.length).toBe(10);
    result.probs.forEach((p, i) => {
      expect(p).toBeCloseTo(expected[i]!, 5);
    });
    expect(result.index).toBe(expected.indexOf(Math.max(...expected)));
    expect(result.prediction).toBe(mnistClassNames[result.index]);
    expect(result.top5.map((t) => t.label)[0]).toBe(result.prediction);
    expect(result.adaptation.steps).toBe(0);
    expect(Object.keys(result.adaptation.ms)).toEqual(['prototypes', 'encode', 'predict']);
  });

  it('classifies view 0 of given views exactly as the image itself (and ignores the other views)', async () => {
    const { image } = mnistTestImage(5);
    const fromImage = await single.classify({ image, classNames: mnistClassNames });
    const view0 = asViews(image);
    const other = asViews(mnistTestImage(6).image);
    const views = tf.concat([view0, other]) as tf.Tensor4D;
    const fromViews = await single.classify({ image, classNames: mnistClassNames, views });
    tf.dispose([view0, other, views]);
    fromViews.probs.forEach((p, i) => {
      expect(p).toBeCloseTo(fromImage.probs[i]!, 6);
    });
  });

  it('ensemble prototypes are the renormalised mean of the per-template normalised features', async () => {
    const model = ensemble.model;
    const classNames = mnistClassNames.slice(0, 3);
    const prototypes = await model.classPrototypes(classNames, ensemble.templates);
    const texts = classNames.flatMap((c) => ensemble.templates.map((t) => t.replaceAll('{}', c)));
    const features = await model.encodeTexts(texts);
    const expected = tf.tidy(() =>
      l2Normalize(tf.mean(tf.reshape(l2Normalize(features, 1), [3, ensemble.templates.length, -1]), 1), 1),
    );
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(expected, prototypes))));
    expect(diff.dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([features, expected, diff]);
  });

  it('refuses bad inputs with errors that say what is expected', async () => {
    const { image } = mnistTestImage(0);
    await expect(single.classify({ image, classNames: [] })).rejects.toThrow(/at least one class name/);
    await expect(single.classify({ image, classNames: ['a', 'a'] })).rejects.toThrow(
      /duplicate class name "a"/,
    );
    const bad = tf.zeros([3, 28, 28]) as unknown as tf.Tensor4D;
    await expect(single.classify({ image, classNames: ['a', 'b'], views: bad })).rejects.toThrow(
      /\[N,3,H,W\]/,
    );
    bad.dispose();
  });

  it('fails to create with a model that does not exist, naming it', async () => {
    await expect(registry.create('zeroshot', { model: 'zoo:no-such-model' })).rejects.toThrow(
      /no-such-model/,
    );
  });

  it('says which model lacks ensemble templates', () => {
    const model = ensemble.model;
    const stripped = {
      ...model,
      source: 'folder-x',
      config: { ...model.config, ensembleTemplates: undefined },
    };
    expect(() => modelEnsembleTemplates(stripped as VisionLanguageModel)).toThrow(
      /folder-x ships no ensemble_templates/,
    );
  });
});
