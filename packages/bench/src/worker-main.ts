/**
 * Entry point of a benchmark worker process (forked by WorkerProcess). It rebuilds the registry and the
 * suite itself, then evaluates one task at a time as the harness sends them. It never writes results:
 * the harness process is the single writer of the result store.
 */
import { checkWorkerSetup } from './check-worker-setup.js';
import { prepareSuite } from './prepared-suite.js';
import { loadRegistryFrom } from './registry-source.js';
import { SampleEvaluator } from './sample-evaluator.js';
import { type ParentMessage, serializeError, type WorkerMessage } from './worker-protocol.js';

let evaluator: SampleEvaluator | undefined;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function handle(message: ParentMessage): Promise<void> {
  switch (message.type) {
    case 'init': {
      const registry = await loadRegistryFrom(message.source);
      const prepared = await prepareSuite(registry, message.suite, message.suiteConfig, message.limit);
      checkWorkerSetup(message, registry, prepared);
      evaluator = new SampleEvaluator(
        registry,
        message.suite,
        prepared.suite,
        prepared.entries,
        message.methods,
      );
      send({ type: 'ready' });
      return;
    }
    case 'task': {
      if (!evaluator) throw new Error('received a task before init');
      send({ type: 'result', output: await evaluator.evaluate(message.task) });
      return;
    }
    case 'close': {
      await evaluator?.close();
      process.disconnect?.();
      return;
    }
  }
}

if (!process.send) {
  console.error('worker-main is started by the benchmark harness (child_process.fork), not run directly');
  process.exit(2);
}

// Messages are handled one at a time, in order.
let queue: Promise<void> = Promise.resolve();
process.on('message', (message: ParentMessage) => {
  queue = queue.then(() =>
    handle(message).catch((error: unknown) => {
      send({ type: 'failed', error: serializeError(error) });
    }),
  );
});
// The harness died (or closed us): nothing can receive results any more, so stop at once.
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group; the harness decides (it stops handing out samples and closes
// us once the ones in flight are recorded). If the harness itself dies, 'disconnect' ends us.
process.on('SIGINT', () => undefined);
