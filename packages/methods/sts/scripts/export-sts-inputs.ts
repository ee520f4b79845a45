// Exports the inputs of the STS step-parity test from the real model: the raw mini-CLIP image features of
// the 64 views of one MNIST test image and the normalised class prototypes Z0 (single template and template
// ensemble). scripts/sts_reference.py then runs the PyTorch reference on them.
//
//   pnpm --filter @attune/method-sts fixtures
//   (= tsx scripts/export-sts-inputs.ts && /usr/bin/python3 scripts/sts_reference.py)
import { writeFileSync } from 'node:fs';
import { testTimeViews } from '@attune/clip-kit';
import { loadMnist, MNIST_CLASS_NAMES } from '@attune/data';
import { loadVisionLanguageModel } from '@attune/models';
import { tf } from '@attune/tensor';
import { SINGLE_TEMPLATE } from '../src/config.js';

/** MNIST test image 0 is a seven; its views are TPT's 64 (view 0 + 63 crop/flip) with seed 0. */
const SOURCE = process.env.STS_FIXTURE_MODEL ?? 'zoo:mini-clip';
const INDEX = Number(process.env.STS_FIXTURE_INDEX ?? 0);
const SEED = 0;
const VIEWS = 64;

const model = await loadVisionLanguageModel(SOURCE);
const mnist = loadMnist('test');
const [, height, width] = mnist.shape;
const image = {
  data: mnist.images.slice(INDEX * height * width, (INDEX + 1) * height * width),
  width,
  height,
  channels: 1 as const,
};
const classNames = [...MNIST_CLASS_NAMES];
const ensembleTemplates = model.config.ensembleTemplates ?? [];

const views = testTimeViews(model, image, { views: VIEWS, seed: SEED });
const pixels = model.normalizeViews(views);
const features = await model.encodeImages(pixels);
const single = await model.classPrototypes(classNames, [SINGLE_TEMPLATE]);
const ensemble = await model.classPrototypes(classNames, ensembleTemplates);

const rows = (t: tf.Tensor2D) => (t.arraySync() as number[][]).map((row) => row.map((v) => Math.fround(v)));
const out = {
  meta: {
    script: 'scripts/export-sts-inputs.ts',
    model: SOURCE,
    image: `mnist test ${INDEX} (label ${mnist.labels[INDEX]})`,
    views: `${VIEWS} (view 0 + RandomResizedCrop(0.08-1, 3/4-4/3) + flip, seed ${SEED})`,
    features: 'raw image_embeds [64,D] of the mini-CLIP image tower (not normalised)',
    prototypes:
      'L2-normalised class prototypes [C,D]: single template, and the mean over the ensemble renormalised',
  },
  logitScale: model.logitScale,
  classNames,
  templates: { single: [SINGLE_TEMPLATE], ensemble: ensembleTemplates },
  features: rows(features),
  prototypes: { single: rows(single), ensemble: rows(ensemble) },
};
const path = new URL('../fixtures/sts-inputs.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(out)}\n`);
tf.dispose([views, pixels, features]);
await model.dispose();
console.log(
  `wrote ${path.pathname}: features [${features.shape}], prototypes [${single.shape}], scale ${model.logitScale}`,
);
