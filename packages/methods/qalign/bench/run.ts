// pnpm --filter @attune/method-qalign bench [--quick] [options]
// Runs (or resumes) the QAlign benchmark and writes results/summary.md, summary.json and the SVG plots.
// Ctrl-C stops after the unit in progress; running the same command again resumes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderVegaLiteSvg } from '@attune/bench';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { type BenchOptions, type BenchProgress, runBench } from './harness.js';
import { errorPlotSpec, renderMarkdown, summarize } from './summary.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const USAGE = `usage: pnpm --filter @attune/method-qalign bench [options]
  --quick               20 problems, 1 seed, N up to 32, written to results/quick/
  --problems <n>        first n problems of the list (default: all 200)
  --seeds <a,b,c>       seeds (default 0,1,2)
  --max-n <n>           largest N: samples per problem and chain steps (default 256)
  --max-chain-n <n>     chain steps when longer than --max-n (e.g. 1024 steps against 256 samples)
  --out <dir>           where the store and reports go (default results/)
  --fresh               delete the store in --out and start over (default: resume it)
  --report-only         only re-render the reports from the store
  --model <source>      LM (default zoo:mini-lm)      --reward <source>  reward model (default zoo:mini-rm)
  --beta <x>            QAlign β (default 1)           --beta-wmv <x>     weighted-MV β (default 1)
  --temperature <x>     sampling temperature (1)       --max-new-tokens <n>  output cap (default 96)
  --chain-block <n>     chains advanced together (100) --batch-size <n>   rows per forward pass (64)
  --threads <n>         onnxruntime threads (0 = all)  --list <tsv>       pinned problem list`;

function number(flag: string, value: string | undefined, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new Error(`--${flag} must be ${integer ? 'an integer' : 'a number'}, got "${value}"`);
  }
  return n;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  // Round once, before splitting, so 539.6 s reads 9m00s rather than 8m60s.
  const total = Math.round(s);
  const m = Math.floor(total / 60);
  return m > 0 ? `${m}m${String(total % 60).padStart(2, '0')}s` : `${total}s`;
}

/** Plain progress lines on stderr, at most every 10 s per stage (the run is long; logs stay short). */
function progressPrinter(): (e: BenchProgress) => void {
  let stageKey = '';
  let started = 0;
  let last = 0;
  return (e) => {
    const key = `${e.stage}/${e.seed}`;
    const now = performance.now();
    if (key !== stageKey) {
      stageKey = key;
      started = now;
      last = 0;
    }
    if (now - last < 10_000 && e.done < e.total) return;
    last = now;
    const rate = e.done / ((now - started) / 1000);
    const eta = rate > 0 ? (e.total - e.done) / rate : Number.POSITIVE_INFINITY;
    const seed = e.seed === null ? '' : ` seed ${e.seed}`;
    process.stderr.write(`[${e.stage}${seed}] ${e.done}/${e.total} | ETA ${formatSeconds(eta)}\n`);
  };
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      problems: { type: 'string' },
      seeds: { type: 'string' },
      'max-n': { type: 'string' },
      'max-chain-n': { type: 'string' },
      out: { type: 'string' },
      fresh: { type: 'boolean' },
      'report-only': { type: 'boolean' },
      model: { type: 'string' },
      reward: { type: 'string' },
      beta: { type: 'string' },
      'beta-wmv': { type: 'string' },
      temperature: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      'chain-block': { type: 'string' },
      'batch-size': { type: 'string' },
      threads: { type: 'string' },
      list: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const quick = values.quick === true;
  const seeds = (values.seeds ?? (quick ? '0' : '0,1,2')).split(',').map((s) => number('seeds', s.trim(), 0));
  const outDir = values.out ?? here(quick ? '../results/quick' : '../results');
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping after the unit in progress; run the same command again to resume\n');
    controller.abort();
  });
  const options: BenchOptions = {
    listPath: values.list ?? here('../lists/arithmetic-200.tsv'),
    heldoutPath: join(ZOO_MODELS_DIR, 'mini-lm', 'heldout.jsonl'),
    storePath: join(outDir, 'records.jsonl'),
    fresh: values.fresh === true,
    ...(values.problems !== undefined || quick ? { limit: number('problems', values.problems, 20) } : {}),
    seeds,
    maxN: number('max-n', values['max-n'], quick ? 32 : 256),
    ...(values['max-chain-n'] !== undefined
      ? { maxChainN: number('max-chain-n', values['max-chain-n'], 0) }
      : {}),
    model: values.model ?? 'zoo:mini-lm',
    reward: values.reward ?? 'zoo:mini-rm',
    beta: number('beta', values.beta, 1, false),
    temperature: number('temperature', values.temperature, 1, false),
    maxNewTokens: number('max-new-tokens', values['max-new-tokens'], 96),
    chainBlock: number('chain-block', values['chain-block'], 100),
    batchSize: number('batch-size', values['batch-size'], 64),
    threads: number('threads', values.threads, 0),
    signal: controller.signal,
    onProgress: progressPrinter(),
  };
  const betaWmv = number('beta-wmv', values['beta-wmv'], 1, false);
  const started = performance.now();
  const run = values['report-only']
    ? await runBench({ ...options, readOnly: true, signal: AbortSignal.abort() })
    : await runBench(options);
  const identity = run.identity as { model: { source: string }; reward: { source: string } };
  const summary = summarize(run.records, run.problems, {
    seeds: options.seeds,
    maxN: Math.max(options.maxN, options.maxChainN ?? 0),
    betaWmv,
    parameters: run.parameters,
    settings: {
      model: identity.model.source,
      reward: identity.reward.source,
      β: options.beta,
      β_wmv: betaWmv,
      temperature: options.temperature,
      'max new tokens': options.maxNewTokens,
    },
  });
  writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(outDir, 'summary.md'), renderMarkdown(summary));
  writeFileSync(join(outDir, 'error-vs-flops.svg'), await renderVegaLiteSvg(errorPlotSpec(summary, 'flops')));
  writeFileSync(join(outDir, 'error-vs-n.svg'), await renderVegaLiteSvg(errorPlotSpec(summary, 'n')));
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `${run.complete ? 'complete' : 'partial (run the same command again to resume)'}: ${run.written} records written in ${formatSeconds(seconds)}; reports in ${outDir}\n`,
  );
}

// pnpm forwards the `--` of `pnpm bench -- --problems 20`.
main(process.argv.slice(2).filter((a) => a !== '--')).catch((error: unknown) => {
  process.stderr.write(`qalign bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
