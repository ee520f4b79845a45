// `pnpm --filter @attune/method-dept bench [--model zoo:mini-lm-t --steps 100 --batch 16 --seeds 0,1,2 --tasks spam,compare --jobs 3 --lr-prompt 0.3 --lr-lora 5e-3 --eval-limit 100 --tag NAME]`
// Vanilla prompt tuning (L tokens) against DePT at two (m, r) splits of the same budget, on every pinned task,
// several seeds: test accuracy (mean ± sample std), validation learning curve, training loss, median ms per
// step, tokens per step, peak RSS of the run's process; beside them the majority class and the zero-shot
// accuracy of the frozen LM (greedy and label scoring). Each run is a child process (its own peak memory);
// runs are interleaved task by task and seed by seed so machine load hits all variants alike; finished runs
// are kept in results/runs/ and skipped on a rerun (a killed benchmark resumes).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { renderVegaLiteSvg } from '@attune/bench';
import { mean, sampleStd } from '@attune/tensor/numerics';
import { validSplits } from '../src/budget.js';
import { loadTask, taskNames } from '../src/tasks.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : fallback;
};
const model = flag('model', 'zoo:mini-lm');
const steps = Number(flag('steps', '100'));
const batchSize = Number(flag('batch', '16'));
const budgetTokens = Number(flag('budget', '40'));
const lrPrompt = Number(flag('lr-prompt', '0.3'));
const lrLora = Number(flag('lr-lora', '5e-3'));
const jobs = Number(flag('jobs', '1'));
// Validation examples scored (greedy) at each of the 3 learning-curve points; fewer makes a run cheaper.
const evalLimit = Number(flag('eval-limit', '100'));
// --report-only: the table and plots from the runs already in results/runs/, running nothing.
const reportOnly = args.includes('--report-only');
// Run files name the lrs only when they are not DePT's (0.3 for P, 5e-3 for A and B).
const lrTag = lrPrompt === 0.3 && lrLora === 5e-3 ? '' : `.lr${lrPrompt}-${lrLora}`;
const seeds = flag('seeds', '0,1,2').split(',').map(Number);
const tasks = flag('tasks', taskNames().join(',')).split(',');
const slug = model.replace(/[^a-z0-9]+/gi, '-');
// --tag NAME: the report's files get .NAME before their extension (an ablation beside the main report, which it
// would otherwise overwrite: the report covers only the runs of this command's settings).
const tag = flag('tag', '');
if (tag && !/^[a-z0-9.-]+$/i.test(tag)) throw new Error(`--tag ${tag}: expected letters, digits, '.' or '-'`);
const report = `${slug}${tag ? `.${tag}` : ''}`;
const RESULTS = join(import.meta.dirname, '..', 'results');
const RUNS = join(RESULTS, 'runs', slug);
mkdirSync(RUNS, { recursive: true });
const DIM = 128;

/** The valid m nearest a fraction of L (the paper's 60/100, and a shorter prompt). */
function splitNear(maxLength: number, fraction: number): number {
  const splits = validSplits({ budgetTokens, promptTokens: 0, maxLength, dim: DIM });
  return splits.sort(
    (a, b) => Math.abs(a[0] - fraction * budgetTokens) - Math.abs(b[0] - fraction * budgetTokens),
  )[0]![0];
}

interface RunResult {
  task: string;
  variant: string;
  seed: number;
  predict?: string;
  shape?: { promptTokens: number; rank: number; maxLength: number };
  trainableParameters?: number;
  msPerStep?: number;
  tokensPerStep?: number;
  losses?: number[];
  curve?: { step: number; accuracy: number }[];
  validationAccuracy?: number;
  testAccuracy: number;
  testAccuracyScore?: number;
  peakRssMiB: number;
}

/** A finished run's file, or undefined when it has yet to run. */
function finished(file: string): RunResult | undefined {
  const path = join(RUNS, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RunResult) : undefined;
}

/** One run in its own process (its own peak memory); its JSON line is kept in results/runs/. */
function runChild(spec: Record<string, unknown>, file: string): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', join(import.meta.dirname, 'run-one.ts'), JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('close', (status) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (status !== 0 || !line) {
        reject(new Error(`run ${file} failed (${status}): ${stderr.slice(-2000)}`));
        return;
      }
      writeFileSync(join(RUNS, file), `${line}\n`);
      const result = JSON.parse(line) as RunResult;
      console.log(
        `${file}: test ${result.testAccuracy.toFixed(3)}${result.testAccuracyScore !== undefined ? ` (score ${result.testAccuracyScore.toFixed(3)})` : ''}${result.msPerStep ? `, ${result.msPerStep.toFixed(0)} ms/step` : ''}, ${((Date.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()[0]!.toFixed(2)}`,
      );
      resolve(result);
    });
  });
}

const startLoad = execFileSync('uptime', { encoding: 'utf8' }).trim();
const started = Date.now();
const planned: { spec: Record<string, unknown>; file: string }[] = [];
for (const name of tasks) {
  const task = loadTask(name);
  const s = task.maxLength;
  const variants = [
    { variant: 'prompt-tuning', promptTokens: budgetTokens },
    { variant: 'dept', promptTokens: splitNear(s, 0.6) },
    { variant: 'dept', promptTokens: splitNear(s, 0.3) },
  ];
  for (const predict of ['greedy', 'score']) {
    planned.push({
      spec: {
        model,
        task: name,
        variant: 'zero-shot',
        predict,
        promptTokens: 0,
        budgetTokens,
        seed: 0,
        steps: 1,
        batchSize,
        evalEvery: 0,
        evalLimit: 0,
      },
      file: `${name}.zero-shot-${predict}.json`,
    });
  }
  for (const seed of seeds) {
    for (const v of variants) {
      planned.push({
        spec: {
          model,
          task: name,
          ...v,
          budgetTokens,
          seed,
          steps,
          batchSize,
          lrPrompt,
          lrLora,
          evalEvery: Math.max(1, Math.round(steps / 3)),
          evalLimit,
        },
        file: `${name}.${v.variant}-m${v.promptTokens}.L${budgetTokens}.steps${steps}.b${batchSize}${lrTag}.seed${seed}.json`,
      });
    }
  }
}
// A pool of `jobs` child processes over the runs not yet on disk, in plan order (task by task, seed by
// seed, the variants interleaved, so machine load hits all variants alike).
const all: (RunResult | undefined)[] = planned.map((p) => finished(p.file));
let next = 0;
let ranNow = 0; // runs this process trained; with none, the load and wall lines would describe nothing
await Promise.all(
  Array.from({ length: jobs }, async () => {
    while (next < planned.length) {
      const i = next++;
      // Another benchmark process may have finished it meanwhile.
      all[i] ??= finished(planned[i]!.file);
      if (all[i] || reportOnly) continue;
      ranNow++;
      // A failed run is reported and left out (a rerun retries it); the others go on.
      all[i] = await runChild(planned[i]!.spec, planned[i]!.file).catch((error: Error) => {
        console.error(error.message);
        return undefined;
      });
    }
  }),
);
const results = all.filter((r): r is RunResult => r !== undefined);
const endLoad = execFileSync('uptime', { encoding: 'utf8' }).trim();

// ---- the table ---------------------------------------------------------------------------------------------
const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const avg = (xs: number[]) => mean(xs) ?? Number.NaN;
const pct = (xs: number[]) =>
  `${fmt(100 * avg(xs))} ± ${xs.length > 1 ? fmt(100 * (sampleStd(xs) ?? Number.NaN)) : '–'}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const lines: string[] = [
  `| task | s | majority | zero-shot greedy / score | variant | m | r | trainable | runs (seeds) | test acc % greedy (mean ± std) | test acc % score | val acc % (first ${evalLimit}, greedy) | ms/step (median) | vs PT | tokens/step | peak RSS MiB |`,
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
const summary: Record<string, unknown>[] = [];
for (const name of tasks) {
  const task = loadTask(name);
  const zs = (p: string) =>
    results.find((r) => r.task === name && r.variant === 'zero-shot' && r.predict === p)?.testAccuracy ??
    Number.NaN;
  const trained = results.filter((r) => r.task === name && r.variant !== 'zero-shot');
  const groups = new Map<string, RunResult[]>();
  for (const r of trained) {
    const key = `${r.variant} m=${r.shape!.promptTokens}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const ptMs = median((groups.get(`prompt-tuning m=${budgetTokens}`) ?? []).map((r) => r.msPerStep!));
  for (const [key, rs] of groups) {
    const ms = median(rs.map((r) => r.msPerStep!));
    const row = {
      task: name,
      variant: key,
      m: rs[0]!.shape!.promptTokens,
      r: rs[0]!.shape!.rank,
      trainable: rs[0]!.trainableParameters,
      test: rs.map((r) => r.testAccuracy),
      testScore: rs.map((r) => r.testAccuracyScore ?? Number.NaN),
      validation: rs.map((r) => r.validationAccuracy ?? Number.NaN),
      msPerStep: ms,
      vsPt: ms / ptMs,
      tokensPerStep: rs[0]!.tokensPerStep,
      peakRssMiB: median(rs.map((r) => r.peakRssMiB)),
    };
    summary.push(row);
    lines.push(
      `| ${name} | ${task.maxLength} | ${fmt(100 * task.info.test.majority_accuracy)} | ${fmt(100 * zs('greedy'))} / ${fmt(100 * zs('score'))} | ${rs[0]!.variant} | ${row.m} | ${row.r} | ${row.trainable} | ${rs.length} (${rs.map((r) => r.seed).join(', ')}) | ${pct(row.test)} | ${pct(row.testScore)} | ${pct(row.validation)} | ${fmt(ms, 0)} | ${fmt(row.vsPt, 2)} | ${row.tokensPerStep} | ${row.peakRssMiB} |`,
    );
  }
}
const header = [
  `# PT vs DePT at an equal budget (L = ${budgetTokens}, d = ${DIM}) on ${model}`,
  '',
  `${steps} steps, batch ${batchSize}, AdamW eps 1e-6 wd 0, P lr ${lrPrompt}, A/B lr ${lrLora} (DePT only), warm-up ${Math.round(steps / 10)} then linear decay; test accuracy by greedy decoding (DePT's rule) and by label scoring; seeds ${seeds.join(', ')}.`,
  reportOnly || ranNow === 0
    ? `From the runs stored in results/runs/${slug}/ (${reportOnly ? '--report-only' : 'every run already there'}): ${results.filter((r) => r.variant !== 'zero-shot').length} trained runs. Machine: ${cpus().length} cores shared with other jobs, onnxruntime 1 thread per run.`
    : `Machine: ${cpus().length} cores shared with other jobs, onnxruntime 1 thread per run, ${jobs} runs at a time; load at start: \`${startLoad}\`; at end: \`${endLoad}\`. Wall ${((Date.now() - started) / 60000).toFixed(1)} min.`,
  'ms/step is the median over the seeds of each run\'s median step time; "vs PT" is that over prompt tuning\'s (below 0.80 = the paper\'s "20 % less time").',
  '',
];
writeFileSync(join(RESULTS, `pt-vs-dept.${report}.md`), `${[...header, ...lines].join('\n')}\n`);
writeFileSync(
  join(RESULTS, `pt-vs-dept.${report}.json`),
  `${JSON.stringify({ model, steps, batchSize, budgetTokens, seeds, startLoad, endLoad, summary }, null, 2)}\n`,
);

// ---- learning curves: training loss (mean of 10-step windows, averaged over seeds) -----------------------
const points: { task: string; variant: string; step: number; loss: number }[] = [];
for (const r of results.filter((x) => x.losses)) {
  const key = `${r.variant} m=${r.shape!.promptTokens} r=${r.shape!.rank}`;
  for (let k = 0; k + 10 <= r.losses!.length; k += 10) {
    points.push({ task: r.task, variant: key, step: k + 10, loss: avg(r.losses!.slice(k, k + 10)) });
  }
}
const svg = await renderVegaLiteSvg({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  data: { values: points },
  facet: { field: 'task', type: 'nominal' },
  columns: 2,
  spec: {
    width: 260,
    height: 160,
    mark: { type: 'line' },
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: { aggregate: 'mean', field: 'loss', type: 'quantitative', title: 'training loss (label tokens)' },
      color: { field: 'variant', type: 'nominal' },
    },
  },
} as never);
writeFileSync(join(RESULTS, `learning-curves.${report}.svg`), svg);

// ---- validation accuracy (greedy, first evalLimit validation examples) at the evalEvery steps, mean over seeds --
const accuracyPoints = results
  .filter((x) => x.curve)
  .flatMap((r) =>
    r.curve!.map((c) => ({
      task: r.task,
      variant: `${r.variant} m=${r.shape!.promptTokens} r=${r.shape!.rank}`,
      step: c.step,
      accuracy: c.accuracy,
    })),
  );
const accuracySvg = await renderVegaLiteSvg({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  data: { values: accuracyPoints },
  facet: { field: 'task', type: 'nominal' },
  columns: 2,
  spec: {
    width: 260,
    height: 160,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: {
        aggregate: 'mean',
        field: 'accuracy',
        type: 'quantitative',
        title: 'validation accuracy (greedy)',
      },
      color: { field: 'variant', type: 'nominal' },
    },
  },
} as never);
writeFileSync(join(RESULTS, `validation-curves.${report}.svg`), accuracySvg);
console.log(readFileSync(join(RESULTS, `pt-vs-dept.${report}.md`), 'utf8'));
