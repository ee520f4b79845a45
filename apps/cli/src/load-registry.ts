import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverRegistry, type Registry } from '@attune/registry';
import type { CliIo } from './main.js';

/**
 * Where the CLI looks for installed plugins: where the user runs attune (cwd and its parents) and beside the
 * CLI itself (a global install). ATTUNE_PLUGIN_ROOT pins the search to one directory and its parents, e.g. for
 * tests or to run against another project.
 */
export function pluginRoots(): string[] {
  const pinned = process.env.ATTUNE_PLUGIN_ROOT;
  return pinned ? [pinned] : [process.cwd(), dirname(fileURLToPath(import.meta.url))];
}

/** The registry the CLI works with. A broken plugin package is reported, not fatal, so the others stay usable. */
export async function loadRegistry(io: CliIo): Promise<Registry> {
  const { registry, problems } = await discoverRegistry({ from: pluginRoots(), strict: false });
  for (const problem of problems) io.stderr(`attune: warning: skipped a plugin package: ${problem}\n`);
  return registry;
}
