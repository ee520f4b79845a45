import { registerWorkerCommand as registerQueueWorker } from '@attune/bench';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadRegistry } from '../load-registry.js';

/** `attune worker --queue <url>`: serve `attune bench --queue` jobs with the plugins installed here. */
export function registerWorkerCommand(program: Command, io: CliIo): void {
  registerQueueWorker(program, io, () => loadRegistry(io));
}
