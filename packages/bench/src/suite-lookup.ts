import { CAPABILITY, type Suite } from '@attune/contracts';
import type { Plugin, Registry } from '@attune/registry';
import { assertSuite } from './assert-suite.js';
import { UnknownSuiteError } from './errors.js';

/** The installed benchmark suites (plugins that provide 'benchmark-suite'), sorted by name. */
export function listSuites(registry: Registry): Plugin[] {
  return registry.resolve(CAPABILITY.benchmarkSuite);
}

/** Finds a suite plugin by name; an unknown name lists the known suites and the closest one. */
export function getSuitePlugin(registry: Registry, name: string): Plugin {
  const known = listSuites(registry).map((p) => p.name);
  if (!registry.has(name)) throw new UnknownSuiteError(name, known);
  const plugin = registry.get(name);
  if (!known.includes(name)) {
    throw new UnknownSuiteError(name, known, `${plugin.kind} plugin`);
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
