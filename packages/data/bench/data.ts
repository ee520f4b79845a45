// Speed of the data layer: each corruption at severity 5 on a 28×28 image, TPT's 64 views (with and
// without AugMix), and loading a pinned suite sample. Run with `pnpm bench`.
import { formatTable, measure } from '@attune/timing';
import {
  augmentViews,
  CORRUPTION_NAMES,
  corrupt,
  datasetImage,
  loadMnist,
  loadSample,
  loadSuite,
} from '../src/index.js';

const image = datasetImage(loadMnist('test'), 0);
const rows: string[][] = [];
const row = (name: string, fn: () => unknown, runs = 15) => {
  const t = measure(fn, { warmup: 2, runs });
  rows.push([name, t.medianMs.toFixed(2), t.p95Ms.toFixed(2)]);
};

for (const name of CORRUPTION_NAMES) {
  let seed = 0;
  row(`corrupt ${name} (s5, 28×28)`, () => corrupt(image, name, 5, { seed: seed++ }));
}
let seed = 0;
row('augmentViews 64×224 (crop+flip)', () => augmentViews(image, { views: 64, size: 224, seed: seed++ }), 7);
row(
  'augmentViews 64×224 (AugMix)',
  () => augmentViews(image, { views: 64, size: 224, seed: seed++, augmix: true }),
  5,
);
const entries = loadSuite('mini-clip-corrupt-short');
let next = 0;
row('loadSample (short suite, cycling)', () => loadSample(entries[next++ % entries.length]!), 30);

console.log(formatTable(['operation', 'median ms', 'p95 ms'], rows));
