// DiffTPT on the first N MNIST test images with zoo:mini-clip and zoo:mini-diffusion (run-time variations),
// clean or corrupted (@attune/data): top-1 of the initial prompt (view 0), of TPT (same views, 1 step) and of
// DiffTPT, and the time per image. Not a test: `pnpm bench`, or e.g.
//   pnpm --filter @attune/method-difftpt bench -- --count 50 --corruption gaussian_noise --severity 5

import { parseArgs } from 'node:util';
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { tfjsBackendPlugin } from '@attune/backend-tfjs/plugin';
import type { RawImage } from '@attune/contracts';
import { corrupt, datasetImage, loadMnist } from '@attune/data';
import { type TptClassifier, type TptConfig, tptConfig, tptPlugin } from '@attune/method-tpt';
import { clipModelPlugin, imageVariationPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import { formatTable, summarize } from '@attune/timing';
import { type DiffTptConfig, difftptConfig } from '../src/config.js';
import { type DiffTptClassifier, difftptPlugin } from '../src/plugin.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '50' },
    corruption: { type: 'string', default: '' },
    severity: { type: 'string', default: '5' },
    filter: { type: 'string', default: 'code' },
  },
});
const count = Number(values.count);
const severity = Number(values.severity);
const mnist = loadMnist('test');
const classNames = mnist.classNames;
const registry = new Registry();
for (const plugin of [
  difftptPlugin,
  tptPlugin,
  clipModelPlugin,
  imageVariationPlugin,
  onnxBackendPlugin,
  tfjsBackendPlugin,
]) {
  registry.register(plugin);
}
const difftpt = (await difftptPlugin.create(difftptConfig.parse({ filter: values.filter }) as DiffTptConfig, {
  registry,
  seed: 0,
})) as DiffTptClassifier;
const tpt = (await tptPlugin.create(tptConfig.parse({}) as TptConfig, {
  registry,
  seed: 0,
})) as TptClassifier;

function testImage(i: number): RawImage {
  const clean = datasetImage(mnist, i);
  const image = values.corruption ? corrupt(clean, values.corruption, severity, { seed: i }) : clean;
  return { data: image.data, width: image.width, height: image.height, channels: 1 };
}

const right = { tpt: 0, difftpt: 0 };
const ms = { tpt: [] as number[], difftpt: [] as number[], generate: [] as number[] };
for (let i = 0; i < count; i++) {
  const image = testImage(i);
  const label = mnist.labels[i]!;
  let start = performance.now();
  const t = await tpt.classify({ image, classNames }, { seed: i });
  ms.tpt.push(performance.now() - start);
  start = performance.now();
  const d = await difftpt.classify({ image, classNames }, { seed: i });
  ms.difftpt.push(performance.now() - start);
  ms.generate.push(d.adaptation.ms.generate ?? 0);
  if (t.index === label) right.tpt++;
  if (d.index === label) right.difftpt++;
}
const data = values.corruption ? `${values.corruption} severity ${severity}` : 'clean';
const row = (name: string, n: number, samples: number[]) => {
  const time = summarize(samples);
  return [name, ((100 * n) / count).toFixed(1), time.medianMs.toFixed(0), time.p95Ms.toFixed(0)];
};
console.log(`MNIST test images 0..${count - 1} (${data}); ${difftpt.backend}`);
console.log(
  formatTable(
    ['method', 'top-1 %', 'median ms / image', 'p95 ms / image'],
    [
      row('TPT (64 views, 1 step)', right.tpt, ms.tpt),
      row(`DiffTPT (1 + 64 + 63 views, 4 steps, filter '${values.filter}')`, right.difftpt, ms.difftpt),
      ['  of which generating 63 variations', '', summarize(ms.generate).medianMs.toFixed(0), ''],
    ],
  ),
);
await tpt.dispose();
await difftpt.dispose();
