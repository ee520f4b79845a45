import { registerWorkerCommand as registerQueueWorker } from '@attune/bench';
import type { Command } from 'commander';
import { loadRegistry } from '../load-registry.js';
import type { CliIo } from '../main.js';

/** `attune worker --queue <url>`: serve `attune bench --queue` jobs with the plugins installed here. */
export function registerWorkerCommand(program: Command, io: CliIo): void {
  registerQueueWorker(program, io, () => loadRegistry(io));
}
