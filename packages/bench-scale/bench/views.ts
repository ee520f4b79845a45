// `pnpm bench:views`: TPT's 64 test-time views of the 4 real photos, built three ways side by side in one run —
// PIL's passes in JS (`viewResize: 'pil'`), each crop resized by onnxruntime (the per-crop path, which AugMix
// still takes) and all views in one onnxruntime call (TestTimeViewsGraph, the default without AugMix) — next
// to encoding those 64 views with the ViT-B/32-shaped image tower, the cost they are compared with (issue
// target: views ≤ 5 % of encoding). Each timing includes the [64,3,224,224] tensor the methods receive.
// Medians over photos × seeds after one warm-up round; writes results/views.json and results/views.md.
//
// Options: --seeds N (default 3); --threads N (default 2); --no-pil.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { augmentViews, augmentViewsWith, interleavedToByteImage, planViews } from '@attune/data';
import { loadVisionLanguageModel } from '@attune/models';
import { tf } from '@attune/tensor';
import { formatTable } from '@attune/timing';
import { loadPhotos } from '../src/photos.js';
import { PACKAGE_DIR } from '../src/runner.js';

const argv = process.argv.slice(2);
const { values: args } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    seeds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    'no-pil': { type: 'boolean', default: false },
  },
});
const seeds = Number(args.seeds);
const threads = Number(args.threads);
if (!Number.isInteger(seeds) || seeds < 1)
  throw new Error(`--seeds: expected an integer >= 1, got ${args.seeds}`);

const model = await loadVisionLanguageModel('shaped:clip-vit-b-32', { threads });
const photos = loadPhotos();
const size = model.imageSize;
const VIEWS = 64;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = () => performance.now();

type Way = 'pil' | 'onnx per crop' | 'onnx one call';
async function build(way: Way, photo: (typeof photos)[number], seed: number): Promise<tf.Tensor4D> {
  const { data, width, height, channels } = photo.image;
  if (!(data instanceof Uint8Array)) throw new Error('expected the decoded photo as 8-bit data');
  const options = { views: VIEWS, size, seed };
  if (way === 'onnx one call') {
    const plan = planViews(width, height, options);
    const views = await model.buildViewsNative({ data, width, height, channels }, plan);
    return tf.tensor4d(views.data, [...views.shape]);
  }
  const bytes = interleavedToByteImage({ data, width, height, channels });
  const views =
    way === 'pil'
      ? augmentViews(bytes, options)
      : await augmentViewsWith(bytes, options, (crop) => model.resizeBytesNative(crop));
  return tf.tensor4d(views.data, [...views.shape]);
}

const ways: Way[] = args['no-pil']
  ? ['onnx per crop', 'onnx one call']
  : ['pil', 'onnx per crop', 'onnx one call'];
const ms: Record<Way | 'encode', number[]> = {
  pil: [],
  'onnx per crop': [],
  'onnx one call': [],
  encode: [],
};
const load: number[] = [];
// Round 0 warms every session up (the view graphs, the image tower) and is not counted.
for (let round = 0; round <= seeds; round++) {
  for (const photo of photos) {
    let views: tf.Tensor4D | undefined;
    for (const way of ways) {
      const t0 = now();
      const built = await build(way, photo, round);
      if (round > 0) ms[way].push(now() - t0);
      views?.dispose();
      views = built;
    }
    const t0 = now();
    const pixels = model.normalizeViews(views!);
    const features = await model.encodeImages(pixels);
    if (round > 0) ms.encode.push(now() - t0);
    for (const t of [views!, pixels, features]) t.dispose();
    load.push(loadavg()[0]!);
  }
}
await model.dispose();

const encode = median(ms.encode);
const ratio = (x: number, y: number) => (x / y).toFixed(2);
const rows = ways.map((way) => {
  const p50 = median(ms[way]);
  return [
    way,
    p50.toFixed(1),
    `${((100 * p50) / encode).toFixed(1)} %`,
    ratio(p50, median(ms['onnx per crop'])),
  ];
});
rows.push(['encode the 64 views (ViT-B/32)', encode.toFixed(1), '100 %', '']);
const samples = photos.length * seeds;
const meta = {
  date: new Date().toISOString(),
  command: `tsx bench/views.ts ${argv.join(' ')}`.trim(),
  threads,
  samples,
  photos: photos.map((p) => `${p.name} ${p.image.width}x${p.image.height}`),
  cpu: cpus()[0]?.model,
  loadAverage: { min: Math.min(...load), max: Math.max(...load) },
};
const table = formatTable(['views built by', 'p50 ms', 'of encoding', 'vs per crop'], rows);
const md = [
  '# Test-time views: JS, per-crop onnxruntime, one onnxruntime call',
  '',
  `${VIEWS} views of ${photos.length} photos × ${seeds} seeds (${samples} samples per row, medians), ${threads} threads, load ${meta.loadAverage.min.toFixed(1)}–${meta.loadAverage.max.toFixed(1)}; ${meta.date}.`,
  '',
  table,
  '',
].join('\n');
writeFileSync(join(PACKAGE_DIR, 'results', 'views.json'), `${JSON.stringify({ meta, ms }, null, 2)}\n`);
writeFileSync(join(PACKAGE_DIR, 'results', 'views.md'), md);
console.log(md);
