import {
  type BenchProgress,
  DEFAULT_BENCH_OUT,
  DEFAULT_QUEUE_NAME,
  describeFailure,
  parseBenchFlags,
  REDIS_PASSWORD_ENV,
  type RegistrySource,
  renderSummaryMarkdown,
  runBenchToReports,
  unfinishedRunProblem,
} from '@attune/bench';
import type { Registry } from '@attune/registry';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadRegistry, pluginRoots } from '../load-registry.js';
import { createProgressBar } from '../progress.js';

interface ProgressBar {
  update(done: number): void;
  stop(): void;
}

/** What the command needs from its host; tests pass their own registry, worker setup and bar. */
export interface BenchCommandDeps {
  readonly loadRegistry?: (io: CliIo) => Promise<Registry>;
  /** How --workers processes rebuild the registry (default: the CLI's plugin roots). */
  readonly workerRegistry?: RegistrySource;
  /** Node flags for worker processes. */
  readonly workerExecArgv?: readonly string[];
  readonly createProgressBar?: (options: { label: string; total: number }) => ProgressBar;
}

interface BenchCommandFlags {
  methods?: string;
  seeds?: string;
  config: string[];
  suiteConfig?: string;
  limit?: string;
  workers: string;
  resume?: boolean;
  extend?: boolean;
  runId?: string;
  out: string;
  db?: string;
  json?: boolean;
  queue?: string;
  queueName: string;
  attempts: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `attune bench <suite>`: runs the suite over methods × seeds into a SQLite store (resumable) with
 * @attune/bench, then writes summary.json, summary.md and accuracy.svg to --out and prints the summary.
 */
export function registerBenchCommand(program: Command, io: CliIo, deps: BenchCommandDeps = {}): Command {
  return program
    .command('bench')
    .description('benchmark methods on a suite: accuracy ± std over seeds, latency, peak memory (resumable)')
    .argument('<suite>', 'benchmark suite (a dataset plugin providing "benchmark-suite")')
    .option('--methods <names>', 'comma-separated method plugins (required unless --resume)')
    .option('--seeds <list>', "comma-separated seeds, e.g. 0,1,2 (default 0; on --resume, the run's)")
    .option(
      '--config <method=json>',
      'config for one method, e.g. tpt=\'{"lr":0.01}\' (repeatable)',
      collect,
      [],
    )
    .option('--suite-config <json>', "the suite's config as JSON")
    .option('--limit <n>', 'only the first n samples of the pinned list')
    .option('--workers <n>', 'worker processes (1 = evaluate in this process)', '1')
    .option('--resume', 'continue the latest run of this suite (or --run-id): finished samples are kept')
    .option(
      '--extend',
      "with --resume and a larger --limit: add the list's next samples to the run (its records are kept)",
    )
    .option('--run-id <id>', 'name a new run, or pick the run to resume')
    .option('--out <dir>', 'where results.sqlite and the reports go', DEFAULT_BENCH_OUT)
    .option('--db <file>', 'result store (default <out>/results.sqlite)')
    .option('--json', 'print the summary as JSON instead of markdown')
    .option(
      '--queue <url>',
      `run on queue workers (\`attune worker --queue <url>\`) via Redis: redis://host:port or rediss:// (TLS); password in the URL or $${REDIS_PASSWORD_ENV}`,
    )
    .option('--queue-name <name>', 'BullMQ queue shared with the workers', DEFAULT_QUEUE_NAME)
    .option('--attempts <n>', 'with --queue: tries per sample before it is reported as failed', '3')
    .action(async (suite: string, flags: BenchCommandFlags) => {
      const request = parseBenchFlags(suite, flags);
      const registry = await (deps.loadRegistry ?? loadRegistry)(io);
      const controller = new AbortController();
      const onSigint = () => {
        io.stderr('attune: stopping after the samples in flight (Ctrl-C again to kill)\n');
        controller.abort();
        process.removeListener('SIGINT', onSigint);
      };
      process.on('SIGINT', onSigint);
      const makeBar = deps.createProgressBar ?? createProgressBar;
      let bar: ProgressBar | undefined;
      let base = 0;
      const onProgress = (p: BenchProgress) => {
        if (p.stage === 'workers') {
          if (p.done === 0) io.stderr(`attune: starting ${p.total} worker processes\n`);
          return;
        }
        if (!bar && p.done < p.total) {
          base = p.done;
          const label = base > 0 ? `${suite} (${base} already done)` : suite;
          bar = makeBar({ label, total: p.total - base });
        }
        bar?.update(p.done - base);
      };
      try {
        const reports = await runBenchToReports({
          registry,
          request,
          workerRegistry: deps.workerRegistry ?? { discover: pluginRoots() },
          ...(deps.workerExecArgv ? { workerExecArgv: deps.workerExecArgv } : {}),
          queueEvents: {
            onFailure: (f) => io.stderr(`attune: ${describeFailure(f)}\n`),
            onConnectionLost: (message) => io.stderr(`attune: ${message}\n`),
            onNoWorkers: (message) => io.stderr(`attune: ${message}\n`),
            onRefusal: (r) =>
              io.stderr(
                `attune: worker ${r.worker} (${r.host}, pid ${r.pid}) refused this run and stopped: ${r.problems.join('; ')}\n`,
              ),
          },
          onProgress,
          signal: controller.signal,
        });
        bar?.stop();
        const { result, summary, files, sampleListCopy } = reports;
        io.stdout(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummaryMarkdown(summary));
        io.stderr(
          `attune: run ${result.run.runId}: ${result.evaluated} evaluated, ${result.alreadyDone} already done, ` +
            `${summary.recorded}/${summary.expected} recorded; wrote ${files.json}, ${files.markdown}, ${files.svg}, ${sampleListCopy}\n`,
        );
        const problem = unfinishedRunProblem(request, reports);
        if (problem) throw new Error(problem);
      } finally {
        bar?.stop();
        process.removeListener('SIGINT', onSigint);
      }
    });
}
