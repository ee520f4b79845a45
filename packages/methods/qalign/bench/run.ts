// pnpm --filter @attune/method-qalign bench [--quick] [options]
// QAlign's accuracy-versus-compute benchmark on @attune/bench: the suite qalign-arithmetic (the 200 pinned
// held-out problems) over greedy, majority vote, best-of-n, weighted majority vote and QAlign, each method's
// curve at N = 1, 2, 4, … as the records' budgets; the harness's SQLite store, resume, workers and reports.
// Running the same command again resumes the run; Ctrl-C stops after the samples in flight.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  parseBenchFlags,
  ResultStore,
  renderSummaryMarkdown,
  runBenchToReports,
  unfinishedRunProblem,
} from '@attune/bench';
import { createRegistry } from './registry.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const RUN_ID = 'qalign';

const USAGE = `usage: pnpm --filter @attune/method-qalign bench [options]
  --quick               20 problems, 1 seed, N up to 32, written to results/quick-bench/
  --problems <n>        first n problems of the list (default: all 200)
  --seeds <a,b,c>       seeds (default 0,1,2)
  --max-n <n>           largest N: samples per problem (default 256)
  --max-chain-n <n>     QAlign chain steps (default --max-n)
  --out <dir>           where results.sqlite and the reports go (default results/bench-run/)
  --fresh               delete the store in --out and start over (default: resume it)
  --extend              resume with a larger --problems: the next problems join the run, its records kept
  --workers <n>         worker processes (default 1)
  --model <source>      LM (default zoo:mini-lm)      --reward <source>  reward model (default zoo:mini-rm)
  --beta <x>            QAlign β (default 1)           --beta-wmv <x>     weighted-MV β (default 1)
  --temperature <x>     sampling temperature (1)       --max-new-tokens <n>  output cap (default 96)
  --threads <n>         onnxruntime threads (0 = all)
Committed results of the former JSONL harness: bench/convert-results.ts carries them into the same store.`;

function number(flag: string, value: string | undefined, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new Error(`--${flag} must be ${integer ? 'an integer' : 'a number'}, got "${value}"`);
  }
  return n;
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
      extend: { type: 'boolean' },
      workers: { type: 'string' },
      model: { type: 'string' },
      reward: { type: 'string' },
      beta: { type: 'string' },
      'beta-wmv': { type: 'string' },
      temperature: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const quick = values.quick === true;
  const maxN = number('max-n', values['max-n'], quick ? 32 : 256);
  const shared = {
    model: values.model ?? 'zoo:mini-lm',
    temperature: number('temperature', values.temperature, 1, false),
    maxNewTokens: number('max-new-tokens', values['max-new-tokens'], 96),
    threads: number('threads', values.threads, 0),
  };
  const rewarded = { ...shared, reward: values.reward ?? 'zoo:mini-rm' };
  const configs = {
    greedy: { model: shared.model, maxNewTokens: shared.maxNewTokens, threads: shared.threads },
    'majority-vote': { ...shared, n: maxN },
    'best-of-n': { ...rewarded, n: maxN },
    'weighted-majority-vote': {
      ...rewarded,
      n: maxN,
      betaWmv: number('beta-wmv', values['beta-wmv'], 1, false),
    },
    qalign: {
      ...rewarded,
      steps: number('max-chain-n', values['max-chain-n'], maxN),
      beta: number('beta', values.beta, 1, false),
    },
  };
  const out = values.out ?? here(quick ? '../results/quick-bench' : '../results/bench-run');
  const db = join(out, 'results.sqlite');
  if (values.fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  let resume = false;
  if (existsSync(db)) {
    const store = ResultStore.open(db);
    resume = store.getRun(RUN_ID) !== undefined;
    store.close();
  }
  if (values.extend && !resume) {
    throw new Error(
      `--extend grows an existing run, and ${db} holds none; run without --extend to start one`,
    );
  }
  const problems = values.problems ?? (quick ? '20' : undefined);
  const request = parseBenchFlags('qalign-arithmetic', {
    methods: Object.keys(configs).join(','),
    config: Object.entries(configs).map(([name, config]) => `${name}=${JSON.stringify(config)}`),
    seeds: values.seeds ?? (quick ? '0' : '0,1,2'),
    ...(problems === undefined ? {} : { limit: problems }),
    workers: values.workers ?? '1',
    resume,
    ...(values.extend ? { extend: true } : {}),
    runId: RUN_ID,
    out,
  });
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping after the samples in flight; run the same command again to resume\n');
    controller.abort();
  });
  let last = 0;
  const reports = await runBenchToReports({
    registry: createRegistry(),
    request,
    workerRegistry: { module: here('./registry.ts') },
    workerExecArgv: process.execArgv,
    signal: controller.signal,
    onProgress: (p) => {
      const now = performance.now();
      if (p.stage !== 'evaluate' || (now - last < 10_000 && p.done < p.total)) return;
      last = now;
      process.stderr.write(`[qalign-arithmetic] ${p.done}/${p.total} samples\n`);
    },
  });
  process.stdout.write(renderSummaryMarkdown(reports.summary));
  const problem = unfinishedRunProblem(request, reports);
  process.stderr.write(
    `${reports.result.evaluated} evaluated, ${reports.result.alreadyDone} already done; ` +
      `${problem ? `partial: ${problem}` : 'complete'}; reports in ${out} (${reports.files.markdown}, ${reports.files.svg})\n`,
  );
}

// pnpm forwards the `--` of `pnpm bench -- --problems 20`.
main(process.argv.slice(2).filter((a) => a !== '--')).catch((error: unknown) => {
  process.stderr.write(`qalign bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
