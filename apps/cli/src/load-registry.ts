import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DiscoveryResult, discoverRegistry, type Registry } from '@attune/registry';
import type { CliIo } from './io.js';

/**
 * Where the CLI looks for installed plugins: the project the user runs attune in (the nearest package root
 * above the cwd, and its workspace) and the CLI's own dependency tree. Never node_modules folders in parent
 * directories (see @attune/registry's project-roots.ts). ATTUNE_PLUGIN_ROOT names the one project to search
 * instead, e.g. for tests or to run against another project.
 */
export function pluginRoots(): string[] {
  const pinned = process.env.ATTUNE_PLUGIN_ROOT;
  return pinned ? [pinned] : [process.cwd(), dirname(fileURLToPath(import.meta.url))];
}

/** Discovery as the CLI does it. A broken plugin package is reported, not fatal, so the others stay usable. */
export async function loadDiscovery(io: CliIo): Promise<DiscoveryResult> {
  const result = await discoverRegistry({ from: pluginRoots(), strict: false });
  for (const problem of result.problems) io.stderr(`attune: warning: skipped a plugin package: ${problem}\n`);
  return result;
}

/** The registry the CLI works with. */
export async function loadRegistry(io: CliIo): Promise<Registry> {
  return (await loadDiscovery(io)).registry;
}
