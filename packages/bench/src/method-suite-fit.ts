import type { Registry } from '@attune/registry';
import { InvalidBenchOptionError } from './errors.js';
import type { MethodSpec } from './records.js';
import { getSuitePlugin } from './suite-lookup.js';

/**
 * A suite's `needs` name what its samples need from a method (the corruption suites: 'vision-language'); a
 * method fits when it needs or provides each of them. Checked before a run row is written, so qalign on an
 * image suite is refused up front instead of failing on its first sample.
 */
export function assertMethodsFitSuite(
  registry: Registry,
  suiteName: string,
  methods: readonly Pick<MethodSpec, 'name'>[],
): void {
  const suiteNeeds = getSuitePlugin(registry, suiteName).needs;
  if (suiteNeeds.length === 0) return;
  const fits = (name: string) => {
    const plugin = registry.get(name);
    const has = new Set([...plugin.needs, ...plugin.provides]);
    return suiteNeeds.every((need) => has.has(need));
  };
  const misfits = methods.map((m) => m.name).filter((name) => !fits(name));
  if (misfits.length === 0) return;
  const fitting = registry
    .list('method')
    .map((p) => p.name)
    .filter(fits);
  const needs = suiteNeeds.map((n) => `"${n}"`).join(', ');
  const lines = misfits.map((name) => {
    const plugin = registry.get(name);
    const works = [...plugin.needs, ...plugin.provides].join(', ') || 'no declared capabilities';
    return `method "${name}" cannot run on suite "${suiteName}": the suite needs ${needs}, and ${name} works with ${works}`;
  });
  throw new InvalidBenchOptionError(
    `${lines.join('; ')}. Methods that fit this suite: ${fitting.join(', ') || 'none installed'}.`,
  );
}
