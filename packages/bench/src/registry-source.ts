import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { discoverRegistry, Registry } from '@attune/registry';

/**
 * How a worker process rebuilds the registry (a Registry object cannot cross a process boundary):
 * - `{ discover: dirs }`: discover installed plugin packages from these directories, as the CLI does;
 * - `{ module, export }`: import a module and call its export (default name `createRegistry`), which
 *   returns a Registry (or a promise of one, or `{ registry }`).
 * The worker must end up with the same suite and methods as the harness; it checks their config hashes.
 */
export type RegistrySource =
  | { readonly discover: readonly string[] }
  | { readonly module: string; readonly export?: string };

export async function loadRegistryFrom(source: RegistrySource): Promise<Registry> {
  if ('discover' in source) {
    const { registry } = await discoverRegistry({ from: [...source.discover], strict: false });
    return registry;
  }
  const exportName = source.export ?? 'createRegistry';
  const url = source.module.startsWith('file:')
    ? source.module
    : pathToFileURL(isAbsolute(source.module) ? source.module : resolve(source.module)).href;
  const module = (await import(url)) as Record<string, unknown>;
  const exported = module[exportName];
  if (exported === undefined) {
    throw new Error(
      `registry module ${source.module} has no export "${exportName}" ` +
        `(exports: ${Object.keys(module).join(', ') || 'none'}); export a function returning a Registry`,
    );
  }
  const value = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  const registry = value instanceof Registry ? value : (value as { registry?: unknown } | null)?.registry;
  if (!isRegistry(registry)) {
    throw new Error(
      `registry module ${source.module}: "${exportName}" gave ${typeof value}; expected a Registry or { registry }`,
    );
  }
  return registry;
}

/** Duck-typed so a registry from another copy of @attune/registry is accepted too. */
function isRegistry(value: unknown): value is Registry {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Registry).create === 'function' &&
    typeof (value as Registry).list === 'function' &&
    typeof (value as Registry).parseConfig === 'function'
  );
}
