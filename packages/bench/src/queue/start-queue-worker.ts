import type { QueueWorkerHandle, QueueWorkerOptions } from './queue-worker.js';

/**
 * Starts a queue worker (see queue-worker.ts). This entry loads BullMQ and ioredis only when called, so
 * importing @attune/bench stays cheap for everything that never touches a queue.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const { startQueueWorker: start } = await import('./queue-worker.js');
  return start(options);
}
