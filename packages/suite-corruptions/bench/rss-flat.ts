// Memory benchmark: does RSS stay flat over a long run of one CLIP method in one bench process?
// Each method evaluates --samples distinct corrupted test images (a pinned 1,020-sample list written next to
// the results) through the harness's own SampleEvaluator, one instance, as `attune bench` does. After every
// sample it reads the current RSS, the sample's peak RSS (the harness's figure), the JS heap and the tfjs
// tensor count. Flat means no growth: the median over the last 10 % of samples is at most 5 % above the
// median over samples 10-20 % (the first 10 % are warm-up: sessions, graphs and prototype caches fill on
// first use), for the current RSS and for the per-sample peak RSS. A fall (the kernel reclaiming pages
// under other load) is not growth; the table shows it, and the range after warm-up, too.
//   pnpm --filter @attune/suite-corruptions bench:rss [--samples 1000] [--difftpt-samples 100] [--methods a,b]
//     [--config difftpt='{"generatedViews":3}'] (a method's config, checked by its schema; repeatable)
//     [--out-suffix=-gen3] (results/rss-flat-<method><suffix>.jsonl, so a reduced run does not replace the full one)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSuite, resolveMethods, SampleEvaluator } from '@attune/bench';
import { makeSampleList, writeSampleList } from '@attune/data';
import { discoverRegistry } from '@attune/registry';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const resultsDir = join(here, '..', 'results');
// `pnpm bench:rss -- --flag` passes the `--` through; drop it as the other benchmarks do.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    samples: { type: 'string', default: '1000' },
    'difftpt-samples': { type: 'string', default: '100' },
    methods: { type: 'string', default: 'zeroshot,zeroshot-ensemble,tpt,sts,sts-ensemble,difftpt' },
    config: { type: 'string', multiple: true, default: [] },
    'out-suffix': { type: 'string', default: '' },
  },
});
const configs = new Map<string, unknown>(
  (values.config ?? []).map((entry) => {
    const at = entry.indexOf('=');
    if (at < 1) throw new Error(`--config expects method='{json}', got ${JSON.stringify(entry)}`);
    return [entry.slice(0, at), JSON.parse(entry.slice(at + 1))];
  }),
);
const samplesFor = (method: string) =>
  Number(method === 'difftpt' ? values['difftpt-samples'] : values.samples);

// 34 test images per dataset × 15 corruptions at severity 5 = 1,020 distinct samples.
const recipe = {
  datasets: ['mnist', 'fashion-mnist'],
  split: 'test',
  n: 34,
  corruptions: 'all',
  severities: [5],
  seed: 7,
  pairing: 'cross',
} as const;
const listPath = join(resultsDir, 'rss-flat-list.tsv');
writeSampleList(listPath, makeSampleList(recipe), [
  'samples of the RSS-flatness benchmark (bench/rss-flat.ts)',
  `generated from makeSampleList(${JSON.stringify(recipe)})`,
]);

const { registry } = await discoverRegistry({ from: [repoRoot] });
// The tfjs the methods use (one copy in the workspace), to count its tensors.
const tf = createRequire(fileURLToPath(import.meta.resolve('@attune/backend-tfjs')))(
  '@tensorflow/tfjs-core',
) as {
  memory(): { numTensors: number };
};

const MiB = 2 ** 20;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Row {
  readonly i: number;
  readonly rssMiB: number;
  readonly peakMiB: number;
  readonly heapMiB: number;
  readonly tensors: number;
  readonly ms: number;
}
interface Growth {
  readonly early: number;
  readonly late: number;
  readonly growthPct: number;
}
interface Summary {
  readonly method: string;
  readonly samples: number;
  readonly rss: Growth;
  readonly peakRss: Growth;
  readonly heap: Growth;
  readonly tensors: { readonly early: number; readonly late: number };
  readonly maxRssMiB: number;
  readonly medianMs: number;
  readonly flat: boolean;
  /** A config other than the method's defaults (--config), shown beside the method's name. */
  readonly config?: unknown;
}
const report: Summary[] = [];
const isFlat = (s: Pick<Summary, 'rss' | 'peakRss'>) => s.rss.growthPct <= 5 && s.peakRss.growthPct <= 5;
for (const name of values.methods.split(',')) {
  const n = samplesFor(name);
  const suite = await createSuite(registry, 'mini-clip-corrupt-full', { list: listPath });
  const entries = await suite.entries();
  if (entries.length < n) throw new Error(`the list has ${entries.length} samples; --samples asks for ${n}`);
  const evaluator = new SampleEvaluator(
    registry,
    'mini-clip-corrupt-full',
    suite,
    entries,
    resolveMethods(registry, [configs.has(name) ? { name, config: configs.get(name) } : { name }]),
  );
  const rows: Row[] = [];
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const out = await evaluator.evaluate({
      methodIndex: 0,
      seed: 0,
      sampleIndex: i,
      sampleKey: suite.sampleKey(entries[i]),
    });
    const m = process.memoryUsage();
    rows.push({
      i,
      rssMiB: m.rss / MiB,
      peakMiB: out.peakRssBytes / MiB,
      heapMiB: m.heapUsed / MiB,
      tensors: tf.memory().numTensors,
      ms: out.latencyMs,
    });
    if (i % 50 === 0 || i === n - 1) {
      const eta = ((Date.now() - t0) / (i + 1)) * (n - i - 1);
      console.error(
        `${name} ${i + 1}/${n}: rss ${(m.rss / MiB) | 0} MiB, peak ${(out.peakRssBytes / MiB) | 0}, heap ${(m.heapUsed / MiB) | 0}, tensors ${tf.memory().numTensors}, eta ${(eta / 60000).toFixed(1)} min`,
      );
    }
  }
  await evaluator.close();
  const window = (from: number, to: number) =>
    rows.slice(Math.floor(from * n), Math.max(Math.floor(from * n) + 1, Math.floor(to * n)));
  const early = window(0.1, 0.2);
  const late = window(0.9, 1);
  const growth = (key: keyof Row) => {
    const a = median(early.map((r) => r[key]));
    const b = median(late.map((r) => r[key]));
    return { early: a, late: b, growthPct: (100 * (b - a)) / a };
  };
  const summary = {
    method: name,
    samples: n,
    rss: growth('rssMiB'),
    peakRss: growth('peakMiB'),
    heap: growth('heapMiB'),
    tensors: { early: early[0]!.tensors, late: late.at(-1)!.tensors },
    maxRssMiB: Math.max(...rows.map((r) => r.rssMiB)),
    medianMs: median(rows.map((r) => r.ms)),
    ...(configs.has(name) ? { config: configs.get(name) } : {}),
  };
  const flat = isFlat(summary);
  report.push({ ...summary, flat });
  // JSON lines: the summary, then one row per sample (biome leaves .jsonl results alone).
  const jsonLines = [{ ...summary, flat }, ...rows].map((r) => JSON.stringify(r));
  writeFileSync(
    join(resultsDir, `rss-flat-${name}${values['out-suffix']}.jsonl`),
    `${jsonLines.join('\n')}\n`,
  );
  console.error(
    `${name}: rss ${summary.rss.early.toFixed(0)} -> ${summary.rss.late.toFixed(0)} MiB (${summary.rss.growthPct.toFixed(2)} %), peak ${summary.peakRss.growthPct.toFixed(2)} %: ${flat ? 'flat' : 'NOT flat'}`,
  );
}

// The table covers every method measured so far (each run rewrites only its own methods' JSON).
const order = ['zeroshot', 'zeroshot-ensemble', 'tpt', 'sts', 'sts-ensemble', 'difftpt'];
const measured = readdirSync(resultsDir)
  .filter((f) => /^rss-flat-.+\.jsonl$/.test(f))
  .map((f) => {
    const summary = JSON.parse(readFileSync(join(resultsDir, f), 'utf8').split('\n')[0]!) as Summary;
    return { ...summary, flat: isFlat(summary) };
  })
  .sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method));
report.splice(0, report.length, ...measured);
const fmt = (x: number) => x.toFixed(1);
const lines = [
  '| method | samples | RSS MiB (10-20 % → last 10 %) | growth | peak RSS / sample MiB | growth | heap MiB | tfjs tensors | max RSS MiB | p50 ms | flat (≤ 5 %) |',
  '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | :-: |',
  ...report.map(
    (r) =>
      `| ${r.method}${r.config === undefined ? '' : ` ${JSON.stringify(r.config)}`} | ${r.samples} | ${fmt(r.rss.early)} → ${fmt(r.rss.late)} | ${r.rss.growthPct.toFixed(2)} % | ${fmt(r.peakRss.early)} → ${fmt(r.peakRss.late)} | ${r.peakRss.growthPct.toFixed(2)} % | ${fmt(r.heap.early)} → ${fmt(r.heap.late)} | ${r.tensors.early} → ${r.tensors.late} | ${fmt(r.maxRssMiB)} | ${r.medianMs.toFixed(0)} | ${r.flat ? 'yes' : 'no'} |`,
  ),
];
writeFileSync(join(resultsDir, 'rss-flat.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
