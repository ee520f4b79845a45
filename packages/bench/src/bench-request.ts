import { resolve } from 'node:path';
import { InvalidBenchOptionError } from './errors.js';
import { checkOutputPath } from './output-paths.js';
import { DEFAULT_QUEUE_NAME } from './queue/queue-job.js';
import { queueConnection } from './queue/redis-connection.js';
import type { BenchmarkMethod } from './resolve-methods.js';
import { checkExtendHasResume } from './resume-check.js';
import { parseSeeds } from './seeds.js';

/** The text of `attune bench`'s flags as a user typed them (any argument parser can fill this). */
export interface BenchFlags {
  readonly methods?: string;
  readonly seeds?: string;
  /** Repeatable `method='{"k":1}'` entries. */
  readonly config?: readonly string[];
  readonly suiteConfig?: string;
  readonly limit?: string;
  /** Default "1". */
  readonly workers?: string;
  readonly resume?: boolean;
  /** With resume: a larger --limit adds the list's next samples to the run. */
  readonly extend?: boolean;
  readonly runId?: string;
  /** Default "attune-bench". */
  readonly out?: string;
  readonly db?: string;
  readonly queue?: string;
  /** Default DEFAULT_QUEUE_NAME. */
  readonly queueName?: string;
  /** Default "3". */
  readonly attempts?: string;
}

/** Where a benchmark runs on queue workers: validated, without the callbacks a caller adds. */
export interface QueueTarget {
  readonly url: string;
  readonly queueName: string;
  readonly attempts: number;
}

/** A validated `attune bench` request: what runBenchToReports needs besides the registry. */
export interface BenchRequest {
  readonly suite: string;
  readonly methods?: readonly BenchmarkMethod[];
  readonly seeds?: readonly number[];
  readonly limit?: number;
  readonly workers: number;
  readonly suiteConfig?: unknown;
  readonly resume: boolean;
  /** With resume: a larger limit adds the list's next samples to the run. */
  readonly extend?: boolean;
  readonly runId?: string;
  /** --out as given (the resume advice repeats it) and as an absolute, checked directory. */
  readonly out: string;
  readonly outDir: string;
  /** The store: --db, else <outDir>/results.sqlite. */
  readonly dbPath: string;
  readonly queue?: QueueTarget;
}

export const DEFAULT_BENCH_OUT = 'attune-bench';

/** Parses an integer flag (>= min), naming the flag when the text is not one. */
export function positiveIntegerFlag(flag: string, text: string, min = 1): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new InvalidBenchOptionError(`${flag} must be an integer >= ${min}, got "${text}"`);
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

/** A queue name BullMQ accepts as one Redis key segment. */
export function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new InvalidBenchOptionError(
      `--queue-name must be 1-100 letters, digits, '.', '_' or '-' (no ':'), got "${name}"`,
    );
  }
  return name;
}

/** --queue, --queue-name and --attempts, or undefined without --queue. A malformed URL fails here. */
export function parseQueueFlags(flags: BenchFlags): QueueTarget | undefined {
  if (flags.queue === undefined) return undefined;
  queueConnection(flags.queue);
  return {
    url: flags.queue,
    queueName: checkQueueName(flags.queueName ?? DEFAULT_QUEUE_NAME),
    attempts: positiveIntegerFlag('--attempts', flags.attempts ?? '3'),
  };
}

/**
 * Checks every flag before any work (paths included: a file, an unwritable place or /proc fails here, not
 * in mkdir) and returns the typed request. Errors name the flag and what would be right.
 */
export function parseBenchFlags(suite: string, flags: BenchFlags): BenchRequest {
  const workers = positiveIntegerFlag('--workers', flags.workers ?? '1');
  const limit = flags.limit === undefined ? undefined : positiveIntegerFlag('--limit', flags.limit);
  const seeds = flags.seeds === undefined ? undefined : parseSeeds(flags.seeds);
  const configs = flags.config ?? [];
  if (flags.methods === undefined && !flags.resume) {
    throw new InvalidBenchOptionError('--methods is required for a new run, e.g. --methods tpt,zeroshot');
  }
  checkExtendHasResume(flags.extend, flags.resume);
  if (flags.methods === undefined && configs.length > 0) {
    throw new InvalidBenchOptionError('--config needs --methods naming the methods it configures');
  }
  const methods = flags.methods === undefined ? undefined : parseMethods(flags.methods, configs);
  const suiteConfig =
    flags.suiteConfig === undefined ? undefined : parseJsonFlag('--suite-config', flags.suiteConfig);
  const queue = parseQueueFlags(flags);
  const out = flags.out ?? DEFAULT_BENCH_OUT;
  const outDir = checkOutputPath('--out', out, 'directory');
  const dbPath =
    flags.db === undefined ? resolve(outDir, 'results.sqlite') : checkOutputPath('--db', flags.db, 'file');
  return {
    suite,
    ...(methods === undefined ? {} : { methods }),
    ...(seeds === undefined ? {} : { seeds }),
    ...(limit === undefined ? {} : { limit }),
    workers,
    ...(suiteConfig === undefined ? {} : { suiteConfig }),
    resume: flags.resume ?? false,
    ...(flags.extend ? { extend: true } : {}),
    ...(flags.runId === undefined ? {} : { runId: flags.runId }),
    out,
    outDir,
    dbPath,
    ...(queue ? { queue } : {}),
  };
}

/** `attune worker`'s flags as text, and validated. */
export interface WorkerFlags {
  readonly queue: string;
  readonly queueName?: string;
  readonly lockMs?: string;
}
export interface WorkerRequest {
  readonly url: string;
  readonly queueName: string;
  readonly lockMs: number;
}

export function parseWorkerFlags(flags: WorkerFlags): WorkerRequest {
  const lockMs = positiveIntegerFlag('--lock-ms', flags.lockMs ?? '30000', 500);
  const queueName = checkQueueName(flags.queueName ?? DEFAULT_QUEUE_NAME);
  queueConnection(flags.queue);
  return { url: flags.queue, queueName, lockMs };
}
