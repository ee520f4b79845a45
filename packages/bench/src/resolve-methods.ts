import type { Registry } from '@attune/registry';
import { configHash } from './canonical-json.js';
import { InvalidBenchOptionError } from './errors.js';
import type { MethodSpec } from './records.js';

/** A method as asked for: a plugin name and a raw config (validated and completed with defaults here). */
export interface BenchmarkMethod {
  readonly name: string;
  readonly config?: unknown;
}

/**
 * Validates each method against the registry (an unknown name raises the registry's UnknownPluginError,
 * a bad config its InvalidConfigError, an unmet capability its UnmetCapabilityError) before any sample is
 * evaluated, and pins each config by hash.
 */
export function resolveMethods(registry: Registry, methods: readonly BenchmarkMethod[]): MethodSpec[] {
  if (methods.length === 0) {
    throw new InvalidBenchOptionError(
      'methods must name at least one method plugin, e.g. --methods tpt,zeroshot',
    );
  }
  const specs = methods.map((method) => {
    const plugin = registry.get(method.name);
    if (plugin.kind !== 'method') {
      throw new InvalidBenchOptionError(
        `"${method.name}" is a ${plugin.kind} plugin; --methods takes method plugins ` +
          `(${
            registry
              .list('method')
              .map((p) => p.name)
              .join(', ') || 'none installed'
          })`,
      );
    }
    registry.assertNeedsMet(method.name);
    const config = registry.parseConfig(method.name, method.config ?? {}) as Record<string, unknown>;
    return { name: method.name, config, configHash: configHash(config) };
  });
  const seen = new Set<string>();
  for (const spec of specs) {
    const id = `${spec.name}@${spec.configHash}`;
    if (seen.has(id)) {
      throw new InvalidBenchOptionError(
        `method "${spec.name}" is listed twice with the same config; list it once`,
      );
    }
    seen.add(id);
  }
  return specs;
}
