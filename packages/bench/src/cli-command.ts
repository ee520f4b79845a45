import { copyFileSync, existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Registry } from '@attune/registry';
import type { Command } from 'commander';
import { InvalidBenchOptionError } from './errors.js';
import { openStoreForCommand } from './fresh-store.js';
import { checkOutputPath } from './output-paths.js';
import { addQueueOptions, describeFailure, type QueueFlags, queueRunOptions } from './queue/queue-cli.js';
import { redactUrl } from './queue/redis-connection.js';
import type { RegistrySource } from './registry-source.js';
import { renderSummaryMarkdown } from './report-markdown.js';
import type { BenchmarkMethod } from './resolve-methods.js';
import { type BenchProgress, runBenchmark } from './run-benchmark.js';
import { parseSeeds } from './seeds.js';
import { summarizeRun } from './summary.js';
import { writeReports } from './write-reports.js';

/** Where the command writes (the CLI's CliIo has this shape). */
export interface BenchCliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The CLI's createProgressBar has this shape. */
export interface BenchProgressBar {
  update(done: number): void;
  stop(): void;
}

export interface BenchCommandOptions {
  /**
   * How --workers processes rebuild the registry. Pass the same plugin roots the CLI's loadRegistry
   * searches. Default: discover from $ATTUNE_PLUGIN_ROOT or the current directory.
   */
  readonly workerRegistry?: RegistrySource;
  /** Node flags for worker processes. */
  readonly workerExecArgv?: readonly string[];
  /** Draws progress (the CLI passes its createProgressBar); without it, nothing is drawn. */
  readonly createProgressBar?: (options: { label: string; total: number }) => BenchProgressBar;
}

interface BenchFlags extends QueueFlags {
  methods?: string;
  seeds?: string;
  config: string[];
  suiteConfig?: string;
  limit?: string;
  workers: string;
  resume?: boolean;
  runId?: string;
  out: string;
  db?: string;
  json?: boolean;
}

function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new InvalidBenchOptionError(`${flag} must be an integer >= 1, got "${text}"`);
  }
  return Number(text);
}

function parseJsonFlag(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidBenchOptionError(
      `${flag} must be JSON, e.g. '{"lr":0.01}': ${(error as Error).message}`,
    );
  }
}

/** Parses --methods a,b and the repeatable --config a='{"k":1}' into method requests. */
export function parseMethods(methodsText: string, configs: readonly string[]): BenchmarkMethod[] {
  const names = methodsText
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) {
    throw new InvalidBenchOptionError(
      `--methods must list method plugins like "tpt,zeroshot", got "${methodsText}"`,
    );
  }
  const byName = new Map<string, unknown>();
  for (const item of configs) {
    const eq = item.indexOf('=');
    if (eq < 1)
      throw new InvalidBenchOptionError(`--config must look like method='{"key":1}', got "${item}"`);
    const name = item.slice(0, eq).trim();
    if (!names.includes(name)) {
      throw new InvalidBenchOptionError(
        `--config names "${name}", which is not in --methods (${names.join(', ')})`,
      );
    }
    byName.set(name, parseJsonFlag(`--config ${name}`, item.slice(eq + 1)));
  }
  return names.map((name) => (byName.has(name) ? { name, config: byName.get(name) } : { name }));
}

const listExtension = (path: string) => /\.[A-Za-z0-9]+$/.exec(basename(path))?.[0] ?? '.txt';

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Registers `attune bench <suite>`: runs the suite over methods × seeds into a SQLite store (resumable),
 * then writes summary.json, summary.md and accuracy.svg to --out and prints the summary.
 */
export function registerBenchCommand(
  program: Command,
  io: BenchCliIo,
  loadRegistry: (io: BenchCliIo) => Promise<Registry>,
  options: BenchCommandOptions = {},
): Command {
  const command = program
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
    .option('--run-id <id>', 'name a new run, or pick the run to resume')
    .option('--out <dir>', 'where results.sqlite and the reports go', 'attune-bench')
    .option('--db <file>', 'result store (default <out>/results.sqlite)')
    .option('--json', 'print the summary as JSON instead of markdown');
  return addQueueOptions(command).action(async (suite: string, flags: BenchFlags) => {
    const workers = positiveInteger('--workers', flags.workers);
    const limit = flags.limit === undefined ? undefined : positiveInteger('--limit', flags.limit);
    const seeds = flags.seeds === undefined ? undefined : parseSeeds(flags.seeds);
    if (flags.methods === undefined && !flags.resume) {
      throw new InvalidBenchOptionError('--methods is required for a new run, e.g. --methods tpt,zeroshot');
    }
    if (flags.methods === undefined && flags.config.length > 0) {
      throw new InvalidBenchOptionError('--config needs --methods naming the methods it configures');
    }
    const methods = flags.methods === undefined ? undefined : parseMethods(flags.methods, flags.config);
    const suiteConfig =
      flags.suiteConfig === undefined ? undefined : parseJsonFlag('--suite-config', flags.suiteConfig);
    const queue = queueRunOptions(flags, io);
    // Paths are checked before any work: a file, an unwritable place or /proc fails here, not in mkdir.
    const outDir = checkOutputPath('--out', flags.out, 'directory');
    const dbPath =
      flags.db === undefined ? resolve(outDir, 'results.sqlite') : checkOutputPath('--db', flags.db, 'file');
    const registry = await loadRegistry(io);
    const opened = openStoreForCommand(dbPath);
    const store = opened.store;
    const controller = new AbortController();
    const onSigint = () => {
      io.stderr('attune: stopping after the samples in flight (Ctrl-C again to kill)\n');
      controller.abort();
      process.removeListener('SIGINT', onSigint);
    };
    process.on('SIGINT', onSigint);
    let bar: BenchProgressBar | undefined;
    let base = 0;
    const onProgress = (p: BenchProgress) => {
      if (p.stage === 'workers') {
        if (p.done === 0) io.stderr(`attune: starting ${p.total} worker processes\n`);
        return;
      }
      if (!bar && options.createProgressBar && p.done < p.total) {
        base = p.done;
        const label = base > 0 ? `${suite} (${base} already done)` : suite;
        bar = options.createProgressBar({ label, total: p.total - base });
      }
      bar?.update(p.done - base);
    };
    try {
      const result = await runBenchmark({
        registry,
        suite,
        ...(suiteConfig === undefined ? {} : { suiteConfig }),
        ...(methods === undefined ? {} : { methods }),
        ...(seeds === undefined ? {} : { seeds }),
        ...(limit === undefined ? {} : { limit }),
        workers,
        workerRegistry: options.workerRegistry ?? {
          discover: [process.env.ATTUNE_PLUGIN_ROOT ?? process.cwd()],
        },
        ...(options.workerExecArgv ? { workerExecArgv: options.workerExecArgv } : {}),
        store,
        ...(flags.runId === undefined ? {} : { runId: flags.runId }),
        resume: flags.resume ?? false,
        ...(queue ? { queue } : {}),
        onProgress,
        signal: controller.signal,
      });
      bar?.stop();
      const summary = summarizeRun(store, result.run.runId);
      const files = await writeReports(summary, outDir);
      // The pinned sample order (each sample's key; for image folders each file's path and sha256) goes
      // beside the results, so the report says exactly what was evaluated.
      const listCopy = resolve(outDir, `${result.run.runId}.samples${listExtension(result.run.sampleList)}`);
      if (existsSync(result.run.sampleList) && resolve(result.run.sampleList) !== listCopy) {
        copyFileSync(result.run.sampleList, listCopy);
      }
      io.stdout(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummaryMarkdown(summary));
      io.stderr(
        `attune: run ${result.run.runId}: ${result.evaluated} evaluated, ${result.alreadyDone} already done, ` +
          `${summary.recorded}/${summary.expected} recorded; wrote ${files.json}, ${files.markdown}, ${files.svg}, ${listCopy}\n`,
      );
      if (result.failed.length > 0) {
        throw new Error(
          `${result.failed.length} samples failed on every attempt (first: ${describeFailure(result.failed[0]!)}); ` +
            `fix the cause and run attune bench ${suite} --resume --run-id ${result.run.runId} --queue ${redactUrl(flags.queue ?? '')} to retry them`,
        );
      }
      if (result.interrupted) {
        throw new Error(
          `interrupted with ${summary.recorded}/${summary.expected} samples recorded; continue with ` +
            `attune bench ${suite} --resume --run-id ${result.run.runId}` +
            (flags.out === 'attune-bench' ? '' : ` --out ${flags.out}`) +
            (flags.queue === undefined ? '' : ` --queue ${redactUrl(flags.queue)}`),
        );
      }
    } finally {
      bar?.stop();
      process.removeListener('SIGINT', onSigint);
      opened.close();
    }
  });
}
