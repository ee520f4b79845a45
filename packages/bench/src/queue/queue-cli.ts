import type { Registry } from '@attune/registry';
import type { Command } from 'commander';
import { InvalidBenchOptionError } from '../errors.js';
import type { FailedSample, QueueRunOptions } from './queue-coordinator.js';
import { DEFAULT_QUEUE_NAME } from './queue-job.js';
import { queueConnection, REDIS_PASSWORD_ENV } from './redis-connection.js';

/** Where queue commands write (the CLI's CliIo has this shape). */
export interface QueueCliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface QueueFlags {
  queue?: string;
  queueName: string;
  attempts: string;
}

function positiveInteger(flag: string, text: string, min = 1): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new InvalidBenchOptionError(`${flag} must be an integer >= ${min}, got "${text}"`);
  }
  return Number(text);
}

/** Adds `--queue`, `--queue-name` and `--attempts` to `attune bench`. */
export function addQueueOptions(command: Command): Command {
  return command
    .option(
      '--queue <url>',
      `run on queue workers (\`attune worker --queue <url>\`) via Redis: redis://host:port or rediss:// (TLS); password in the URL or $${REDIS_PASSWORD_ENV}`,
    )
    .option('--queue-name <name>', 'BullMQ queue shared with the workers', DEFAULT_QUEUE_NAME)
    .option('--attempts <n>', 'with --queue: tries per sample before it is reported as failed', '3');
}

/** The queue options of `attune bench` flags, or undefined without --queue. Failures are printed as they come. */
export function queueRunOptions(flags: QueueFlags, io: QueueCliIo): QueueRunOptions | undefined {
  if (flags.queue === undefined) return undefined;
  queueConnection(flags.queue); // a malformed URL fails here, before anything is written
  return {
    url: flags.queue,
    queueName: checkQueueName(flags.queueName),
    attempts: positiveInteger('--attempts', flags.attempts),
    onFailure: (f) => io.stderr(`attune: ${describeFailure(f)}\n`),
    onConnectionLost: (message) => io.stderr(`attune: ${message}\n`),
    onNoWorkers: (message) => io.stderr(`attune: ${message}\n`),
    onRefusal: (r) =>
      io.stderr(
        `attune: worker ${r.worker} (${r.host}, pid ${r.pid}) refused this run and stopped: ${r.problems.join('; ')}\n`,
      ),
  };
}

export function describeFailure(f: FailedSample): string {
  return `sample "${f.sampleKey}" failed for method "${f.method}" (seed ${f.seed}) after ${f.attempts} attempts: ${f.reason}`;
}

function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new InvalidBenchOptionError(
      `--queue-name must be 1-100 letters, digits, '.', '_' or '-' (no ':'), got "${name}"`,
    );
  }
  return name;
}

interface WorkerFlags {
  queue?: string;
  queueName: string;
  lockMs: string;
}

/**
 * Registers `attune worker --queue <url>`: evaluates benchmark jobs with this machine's plugins until
 * Ctrl-C or SIGTERM (the job in flight finishes first). Exits non-zero when it refused a run.
 */
export function registerWorkerCommand(
  program: Command,
  io: QueueCliIo,
  loadRegistry: (io: QueueCliIo) => Promise<Registry>,
): Command {
  return program
    .command('worker')
    .description('evaluate `attune bench --queue` jobs from Redis with the plugins installed here')
    .requiredOption(
      '--queue <url>',
      `Redis URL of the coordinator: redis://host:port or rediss:// (TLS); password in the URL or $${REDIS_PASSWORD_ENV}`,
    )
    .option('--queue-name <name>', 'BullMQ queue shared with the coordinator', DEFAULT_QUEUE_NAME)
    .option(
      '--lock-ms <ms>',
      "a job's lock; a killed worker's job is retried elsewhere after it expires (must exceed one sample)",
      '30000',
    )
    .action(async (flags: WorkerFlags) => {
      const lockMs = positiveInteger('--lock-ms', flags.lockMs, 500);
      const queueName = checkQueueName(flags.queueName);
      queueConnection(flags.queue!);
      const registry = await loadRegistry(io);
      // Loaded only here: BullMQ and ioredis take seconds to import, and every other command would pay.
      const { startQueueWorker } = await import('./queue-worker.js');
      const handle = await startQueueWorker({
        url: flags.queue!,
        queueName,
        registry,
        lockMs,
        log: (line) => io.stderr(line),
      });
      const stop = () => {
        io.stderr(`attune worker ${handle.worker}: stopping after the job in flight\n`);
        void handle.close();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const exit = await handle.done;
        io.stderr(`attune worker ${handle.worker}: stopped after ${exit.processed} jobs\n`);
        if (exit.refusal) {
          throw new Error(
            `worker ${handle.worker} cannot serve run ${exit.refusal.runId}: ${exit.refusal.problems.join('; ')}. ` +
              'Install the same plugin versions as the coordinator.',
          );
        }
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
      }
    });
}
