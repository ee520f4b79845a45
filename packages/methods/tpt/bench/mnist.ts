// TPT on the first N MNIST test images with zoo:mini-clip, clean or corrupted (MNIST-C style, @attune/data):
// top-1 of the prompt it starts from ("a photo of a {class}.", view 0) and after tuning, and the time per
// image. Not a test: `pnpm bench`, or e.g.
//   pnpm --filter @attune/method-tpt bench -- --count 500 --corruption gaussian_noise --severity 5

import { parseArgs } from 'node:util';
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { tfjsBackendPlugin } from '@attune/backend-tfjs/plugin';
import { encodeViews, testTimeViews } from '@attune/clip-kit';
import type { RawImage } from '@attune/contracts';
import { corrupt, datasetImage, loadMnist } from '@attune/data';
import { clipModelPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import { tf } from '@attune/tensor';
import { formatTable, summarize } from '@attune/timing';
import { type TptConfig, tptConfig } from '../src/config.js';
import type { TptClassifier } from '../src/method.js';
import { tptPlugin } from '../src/plugin.js';
import { promptLogits } from '../src/tpt.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100' },
    model: { type: 'string', default: 'zoo:mini-clip' },
    corruption: { type: 'string', default: '' },
    severity: { type: 'string', default: '5' },
    steps: { type: 'string', default: '1' },
  },
});
const count = Number(values.count);
const severity = Number(values.severity);
const mnist = loadMnist('test');
const classNames = mnist.classNames;
const registry = new Registry()
  .register(tptPlugin)
  .register(clipModelPlugin)
  .register(onnxBackendPlugin)
  .register(tfjsBackendPlugin);
const config = tptConfig.parse({ model: values.model, steps: Number(values.steps) }) as TptConfig;
const tpt = (await tptPlugin.create(config, { registry, seed: 0 })) as TptClassifier;
const parts = await tpt.model.promptParts(classNames, { initText: config.initText, nCtx: config.nCtx });

/** Test image i, corrupted when asked (seeded by i), as the classifier takes it. */
function testImage(i: number): RawImage {
  const clean = datasetImage(mnist, i);
  const image = values.corruption ? corrupt(clean, values.corruption, severity, { seed: i }) : clean;
  return { data: image.data, width: image.width, height: image.height, channels: 1 };
}

let zeroShot = 0;
let tuned = 0;
let fixed = 0;
let broken = 0;
const samples: number[] = [];
for (let i = 0; i < count; i++) {
  const image = testImage(i);
  const label = mnist.labels[i]!;
  const view0 = testTimeViews(tpt.model, image, { views: 1, seed: 0, augmix: false });
  const features = await encodeViews(tpt.model, view0);
  const before = tf.tidy(() => tf.argMax(promptLogits(tpt.model, parts, parts.ctxInit, features), 1));
  const zeroShotIndex = before.dataSync()[0]!;
  tf.dispose([view0, features, before]);
  const start = performance.now();
  const result = await tpt.classify({ image, classNames }, { seed: i });
  samples.push(performance.now() - start);
  if (zeroShotIndex === label) zeroShot++;
  if (result.index === label) tuned++;
  if (result.index !== zeroShotIndex && result.index === label) fixed++;
  if (result.index !== zeroShotIndex && zeroShotIndex === label) broken++;
}
const time = summarize(samples);
const data = values.corruption ? `${values.corruption} severity ${severity}` : 'clean';
console.log(`TPT on MNIST test images 0..${count - 1} (${data}), ${config.model}, ${tpt.backend}`);
console.log(
  formatTable(
    ['prompt', 'top-1 %', 'fixed by tuning', 'broken by tuning', 'median ms / image', 'p95 ms / image'],
    [
      ['"a photo of a {class}." (view 0, no tuning)', ((100 * zeroShot) / count).toFixed(1), '', '', '', ''],
      [
        `TPT (${config.views} views, ${config.steps} step${config.steps === 1 ? '' : 's'})`,
        ((100 * tuned) / count).toFixed(1),
        fixed,
        broken,
        time.medianMs.toFixed(0),
        time.p95Ms.toFixed(0),
      ],
    ],
  ),
);
parts.dispose();
await tpt.dispose();
