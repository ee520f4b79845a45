import type { Registry } from '@attune/registry';
import { configHash } from './canonical-json.js';
import { WorkerError } from './errors.js';
import type { PreparedSuite } from './prepared-suite.js';
import type { WorkerInit } from './worker-protocol.js';

/**
 * A worker rebuilt the suite and registry on its own; this proves it sees what the harness sees: the same
 * suite config, the same sample list bytes and keys, and methods whose configs parse to the same hash
 * (the same plugin defaults). Anything else would silently mix two setups in one run.
 */
export function checkWorkerSetup(init: WorkerInit, registry: Registry, prepared: PreparedSuite): void {
  const fail = (problem: string) =>
    new WorkerError(`worker ${init.worker} does not see the harness's setup: ${problem}`);
  if (prepared.configHash !== init.suiteConfigHash) {
    throw fail(`suite "${init.suite}" config parses to a different hash (another plugin version?)`);
  }
  if (prepared.sampleListSha256 !== init.sampleListSha256) {
    throw fail(
      `sample list ${prepared.sampleList} hashes to ${prepared.sampleListSha256}, the harness read ${init.sampleListSha256}`,
    );
  }
  if (prepared.sampleKeysSha256 !== init.sampleKeysSha256) {
    throw fail(`suite "${init.suite}" gives other sample keys from the same list file`);
  }
  for (const method of init.methods) {
    const hash = configHash(registry.parseConfig(method.name, method.config));
    if (hash !== method.configHash) {
      throw fail(
        `method "${method.name}" config parses to ${hash.slice(0, 12)}, harness has ${method.configHash.slice(0, 12)}`,
      );
    }
  }
}
