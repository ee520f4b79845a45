import { DEFAULT_QUEUE_NAME, parseWorkerFlags, REDIS_PASSWORD_ENV, startQueueWorker } from '@attune/bench';
import type { Registry } from '@attune/registry';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadRegistry } from '../load-registry.js';

/**
 * `attune worker --queue <url>`: evaluates `attune bench --queue` jobs with the plugins installed here until
 * Ctrl-C or SIGTERM (the job in flight finishes first). Exits non-zero when it refused a run.
 */
export function registerWorkerCommand(
  program: Command,
  io: CliIo,
  load: (io: CliIo) => Promise<Registry> = loadRegistry,
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
    .action(async (flags: { queue: string; queueName: string; lockMs: string }) => {
      const { url, queueName, lockMs } = parseWorkerFlags(flags);
      const registry = await load(io);
      // startQueueWorker loads BullMQ and ioredis only now: they take seconds to import.
      const handle = await startQueueWorker({
        url,
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
