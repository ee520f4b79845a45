import { statSync } from 'node:fs';
import { CAPABILITY, type Suite } from '@attune/contracts';
import type { Plugin, Registry } from '@attune/registry';
import { assertSuite } from './assert-suite.js';
import { InvalidBenchOptionError, UnknownSuiteError } from './errors.js';

/** `images:<dir>` names the image-folder suite on a folder: `attune bench images:./digits`. */
export const IMAGES_SUITE_PREFIX = 'images:';
/** The suite plugin `images:<dir>` stands for (@attune/suite-image-folder). */
export const IMAGE_FOLDER_SUITE = 'image-folder';

/** The plugin a suite name stands for: itself, or image-folder for `images:<dir>`. */
export function suitePluginName(name: string): string {
  return name.startsWith(IMAGES_SUITE_PREFIX) ? IMAGE_FOLDER_SUITE : name;
}

/**
 * The suite config for a suite name: `images:<dir>` sets `root` to <dir> (the run stays named after the
 * folder); a `root` in --suite-config that names another folder is an error, not silently replaced.
 */
export function suiteConfigFor(name: string, rawConfig: unknown): unknown {
  if (!name.startsWith(IMAGES_SUITE_PREFIX)) return rawConfig;
  const root = name.slice(IMAGES_SUITE_PREFIX.length);
  if (root === '') {
    throw new InvalidBenchOptionError(
      `"${name}" names no folder; expected images:<dir>, e.g. images:./digits`,
    );
  }
  const config = rawConfig ?? {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return config; // the plugin's schema says why
  const given = (config as Record<string, unknown>).root;
  if (given !== undefined && given !== root) {
    throw new InvalidBenchOptionError(
      `suite ${name} is on folder "${root}" but its config gives root "${String(given)}"; give the folder once`,
    );
  }
  return { ...config, root };
}

function looksLikeFolder(name: string): boolean {
  try {
    return statSync(name).isDirectory();
  } catch {
    return false;
  }
}

/** The installed benchmark suites (plugins that provide 'benchmark-suite'), sorted by name. */
export function listSuites(registry: Registry): Plugin[] {
  return registry.resolve(CAPABILITY.benchmarkSuite);
}

/** Finds a suite plugin by name; an unknown name lists the known suites and the closest one. */
export function getSuitePlugin(registry: Registry, name: string): Plugin {
  const known = listSuites(registry).map((p) => p.name);
  const pluginName = suitePluginName(name);
  if (!registry.has(pluginName)) {
    if (pluginName !== name) {
      throw new UnknownSuiteError(
        name,
        known,
        undefined,
        `"${name}" needs the ${IMAGE_FOLDER_SUITE} suite plugin (install @attune/suite-image-folder)`,
      );
    }
    if (looksLikeFolder(name)) {
      throw new UnknownSuiteError(
        name,
        known,
        undefined,
        `unknown suite "${name}"; it is a folder: to benchmark the images in it, name the suite ${IMAGES_SUITE_PREFIX}${name}`,
      );
    }
    throw new UnknownSuiteError(name, known);
  }
  const plugin = registry.get(pluginName);
  if (!known.includes(pluginName)) {
    throw new UnknownSuiteError(name, known, `${plugin.kind} plugin`);
  }
  return plugin;
}

/** The suite's config validated by its plugin (defaults filled in; `images:<dir>` sets root). */
export function parseSuiteConfig(
  registry: Registry,
  name: string,
  rawConfig: unknown,
): Record<string, unknown> {
  getSuitePlugin(registry, name);
  return registry.parseConfig(suitePluginName(name), suiteConfigFor(name, rawConfig) ?? {}) as Record<
    string,
    unknown
  >;
}

/** Creates a suite instance from its plugin (config validated by the registry) and checks its shape. */
export async function createSuite(registry: Registry, name: string, config: unknown = {}): Promise<Suite> {
  getSuitePlugin(registry, name);
  const suite = await registry.create(suitePluginName(name), suiteConfigFor(name, config));
  assertSuite(suite, name);
  return suite;
}
