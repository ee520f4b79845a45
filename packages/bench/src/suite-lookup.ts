import type { Plugin, Registry } from '@attune/registry';
import { UnknownSuiteError } from './errors.js';
import { assertSuite, SUITE_CAPABILITY, type Suite } from './suite.js';

/** The installed benchmark suites, sorted by name. */
export function listSuites(registry: Registry): Plugin[] {
  return registry.list('dataset').filter((p) => p.provides.includes(SUITE_CAPABILITY));
}

/** Finds a suite plugin by name; an unknown name lists the known suites and the closest one. */
export function getSuitePlugin(registry: Registry, name: string): Plugin {
  const known = listSuites(registry).map((p) => p.name);
  if (!registry.has(name)) throw new UnknownSuiteError(name, known);
  const plugin = registry.get(name);
  if (!known.includes(name)) {
    const actually =
      plugin.kind === 'dataset'
        ? `dataset plugin that does not provide "${SUITE_CAPABILITY}"`
        : `${plugin.kind} plugin`;
    throw new UnknownSuiteError(name, known, actually);
  }
  return plugin;
}

/** Creates a suite instance from its plugin (config validated by the registry) and checks its shape. */
export async function createSuite(registry: Registry, name: string, config: unknown = {}): Promise<Suite> {
  getSuitePlugin(registry, name);
  const suite = await registry.create(name, config);
  assertSuite(suite, name);
  return suite;
}
