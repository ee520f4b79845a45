import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverRegistry, type Registry } from '@attune/registry';
import type { CliIo } from './main.js';

/**
 * The registry the CLI works with: plugins installed where the user runs attune (cwd and its parents),
 * plus those installed beside the CLI itself (a global install). ATTUNE_PLUGIN_ROOT pins the search to one
 * directory and its parents, e.g. for tests or to run against another project. A broken plugin package is reported, not fatal, so the
 * others stay usable.
 */
export async function loadRegistry(io: CliIo): Promise<Registry> {
  const cliDir = dirname(fileURLToPath(import.meta.url));
  const pinned = process.env.ATTUNE_PLUGIN_ROOT;
  const from = pinned ? [pinned] : [process.cwd(), cliDir];
  const { registry, problems } = await discoverRegistry({ from, strict: false });
  for (const problem of problems) io.stderr(`attune: warning: skipped a plugin package: ${problem}\n`);
  return registry;
}
