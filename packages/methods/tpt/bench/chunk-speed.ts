// TPT's time per image on mini-CLIP for several classChunk values (the gradient is the same; only the number
// of text-encoder passes changes). Not a test: `pnpm exec tsx bench/chunk-speed.ts --count 60 --chunks auto,8,auto,8`.
import { parseArgs } from 'node:util';
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { tfjsBackendPlugin } from '@attune/backend-tfjs/plugin';
import { datasetImage, loadMnist } from '@attune/data';
import { clipModelPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import { formatTable, summarize } from '@attune/timing';
import type { TptClassifier } from '../src/method.js';
import { tptPlugin } from '../src/plugin.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '40' },
    chunks: { type: 'string', default: 'auto,8,auto,8' },
    steps: { type: 'string', default: '1' },
  },
});
const count = Number(values.count);
const mnist = loadMnist('test');
const registry = new Registry()
  .register(tptPlugin)
  .register(clipModelPlugin)
  .register(onnxBackendPlugin)
  .register(tfjsBackendPlugin);
const rows: string[][] = [];
for (const classChunk of values.chunks.split(',').map((c) => (c === 'auto' ? c : Number(c)))) {
  const tpt = await registry.create<TptClassifier>(
    'tpt',
    { classChunk, steps: Number(values.steps) },
    { seed: 0 },
  );
  await tpt.prepareClasses(mnist.classNames);
  const total: number[] = [];
  const tune: number[] = [];
  for (let i = 0; i < count + 2; i++) {
    const clean = datasetImage(mnist, i);
    const image = { data: clean.data, width: clean.width, height: clean.height, channels: 1 as const };
    const start = performance.now();
    const result = await tpt.classify({ image, classNames: mnist.classNames });
    if (i < 2) continue; // warm-up
    total.push(performance.now() - start);
    tune.push((result.adaptation.ms.tune ?? 0) + (result.adaptation.ms.predict ?? 0));
  }
  await tpt.dispose();
  const t = summarize(total);
  rows.push([
    String(classChunk),
    t.medianMs.toFixed(0),
    t.p95Ms.toFixed(0),
    summarize(tune).medianMs.toFixed(0),
  ]);
}
console.log(formatTable(['classChunk', 'median ms/image', 'p95 ms', 'tune + predict median ms'], rows));
