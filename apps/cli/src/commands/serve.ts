// `attune serve`: the web app (@attune/web) over the same registry as every other command, bound to
// loopback on a fixed port unless told otherwise.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadRegistry } from '../load-registry.js';
import { parseIntegerOption } from '../options.js';

interface ServeFlags {
  host: string;
  port: string;
  db?: string;
  modelRoot: string[];
  adapterRoot: string[];
  maxUploadMb: string;
  maxPixels: string;
}

const DEFAULT_DB = 'attune-bench/results.sqlite';

/** The pinned tasks of @attune/method-dept, for training in the browser; none when it is not installed. */
async function pinnedPromptTasks(): Promise<import('@attune/web').PromptTaskSource | undefined> {
  let dept: typeof import('@attune/method-dept');
  try {
    dept = await import('@attune/method-dept');
  } catch {
    return undefined;
  }
  return {
    names: () => dept.taskNames(),
    load: (name) => {
      const task = dept.loadTask(name);
      return {
        name: task.name,
        train: task.splits.train,
        validation: task.splits.validation,
        labels: task.labels,
        maxLength: task.maxLength,
        majorityAccuracy: task.info.validation.majority_accuracy,
        source: task.source,
      };
    },
  };
}

export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('start the web app: every installed plugin in the browser, with the benchmark results')
    .option(
      '--host <address>',
      'address to bind (anything but loopback exposes the app to the network)',
      '127.0.0.1',
    )
    .option('--port <n>', 'port', '7412')
    .option('--db <file>', `benchmark result store to show (default ${DEFAULT_DB} when it exists)`)
    .option(
      '--model-root <dir>',
      'a folder whose model exports the app may load (repeatable); without one, only zoo ids',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--adapter-root <dir>',
      'a folder of prompt-tuning adapters the app may load (repeatable); adapters trained in the app go to the first',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--max-upload-mb <n>', 'largest image upload, in MiB', '8')
    .option('--max-pixels <n>', 'largest image upload, in pixels (width × height)', String(4096 * 4096))
    .action(async (flags: ServeFlags) => {
      const port = parseIntegerOption('--port', flags.port, 0);
      if (port > 65535) throw new Error(`--port must be at most 65535, got ${port}`);
      const maxBytes = parseIntegerOption('--max-upload-mb', flags.maxUploadMb, 1) * 1024 * 1024;
      const maxPixels = parseIntegerOption('--max-pixels', flags.maxPixels, 1);
      for (const root of flags.modelRoot) {
        if (!existsSync(root)) throw new Error(`--model-root: no such folder ${root}`);
      }
      for (const root of flags.adapterRoot) {
        if (!existsSync(root)) throw new Error(`--adapter-root: no such folder ${root}`);
      }
      if (flags.db !== undefined && !existsSync(flags.db)) throw new Error(`--db: no such file ${flags.db}`);
      const db = flags.db ?? (existsSync(DEFAULT_DB) ? DEFAULT_DB : undefined);
      const { isLoopback, startWebServer } = await import('@attune/web');
      if (!isLoopback(flags.host)) {
        io.stderr(
          `attune: warning: --host ${flags.host} is not loopback: anyone who can reach this machine can run methods and read the result store\n`,
        );
      }
      const registry = await loadRegistry(io);
      const server = await startWebServer({
        registry,
        host: flags.host,
        port,
        ...(db !== undefined ? { resultStore: resolve(db) } : {}),
        modelRoots: flags.modelRoot.map((r) => resolve(r)),
        adapterRoots: flags.adapterRoot.map((r) => resolve(r)),
        promptTasks: await pinnedPromptTasks(),
        limits: { maxBytes, maxPixels },
      });
      io.stdout(
        `attune web app on ${server.url} (${registry.list('method').length} methods; results: ${db ?? 'none'}); Ctrl-C stops it\n`,
      );
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          done();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
    });
}
