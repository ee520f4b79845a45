import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPlugin } from './define-plugin.js';
import { DiscoveryError } from './errors.js';
import type { Plugin } from './plugin.js';
import { projectRoots } from './project-roots.js';
import { Registry } from './registry.js';

/** The `package.json` field through which a package declares its plugins. */
export interface AttunePackageField {
  readonly plugins: readonly string[];
}

export interface PluginPackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  /** Entry files, resolved against `dir`. */
  readonly entries: readonly string[];
  /** Where discovery found it, e.g. 'node_modules of /work/app' or 'workspace package'. */
  readonly origin: string;
}

export interface DiscoverOptions {
  /**
   * Directories to search from. Each stands for its project (see project-roots.ts): the nearest package
   * root's node_modules, and in a workspace the workspace root's node_modules and its member packages.
   * node_modules folders in parent directories are never read. Default: the current working directory.
   */
  readonly from?: readonly string[];
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function packageDirsIn(nodeModules: string): string[] {
  const dirs: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const full = join(nodeModules, entry);
    if (entry.startsWith('@')) {
      if (!isDirectory(full)) continue;
      for (const scoped of readdirSync(full)) dirs.push(join(full, scoped));
    } else {
      dirs.push(full);
    }
  }
  return dirs.filter((d) => existsSync(join(d, 'package.json')));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Reads one package.json; returns its plugin declaration, or undefined when it declares none. */
export function readPluginPackage(packageDir: string, origin = packageDir): PluginPackage | undefined {
  const manifestPath = join(packageDir, 'package.json');
  let manifest: { name?: unknown; version?: unknown; attune?: unknown };
  try {
    manifest = readJson(manifestPath) as typeof manifest;
  } catch (error) {
    throw new DiscoveryError(`cannot read ${manifestPath}: ${(error as Error).message}`);
  }
  if (manifest.attune === undefined) return undefined;
  const name = typeof manifest.name === 'string' ? manifest.name : packageDir;
  const field = manifest.attune as Partial<AttunePackageField> | null;
  const plugins = field?.plugins;
  if (!Array.isArray(plugins) || plugins.length === 0 || !plugins.every((p) => typeof p === 'string')) {
    throw new DiscoveryError(
      `package ${name} (${manifestPath}): "attune.plugins" must be a non-empty array of entry files, ` +
        `e.g. { "attune": { "plugins": ["./dist/plugin.js"] } }, got ${JSON.stringify(field?.plugins)}`,
    );
  }
  return {
    name,
    version: typeof manifest.version === 'string' ? manifest.version : '0.0.0',
    dir: packageDir,
    entries: plugins.map((p) => resolve(packageDir, p)),
    origin,
  };
}

/** Finds every package of the projects `from` names that declares attune plugins (deduplicated by real path). */
export function findPluginPackages(options: DiscoverOptions = {}): PluginPackage[] {
  const seen = new Set<string>();
  const packages: PluginPackage[] = [];
  const consider = (dir: string, origin: string) => {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    const pkg = readPluginPackage(real, origin);
    if (pkg) packages.push(pkg);
  };
  for (const start of options.from ?? [process.cwd()]) {
    const { packageRoots, workspacePackages } = projectRoots(start);
    for (const root of packageRoots) {
      const nodeModules = join(root, 'node_modules');
      if (!isDirectory(nodeModules)) continue;
      for (const dir of packageDirsIn(nodeModules)) consider(dir, `node_modules of ${root}`);
    }
    for (const dir of workspacePackages) consider(dir, 'workspace package');
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name));
}

/** Imports a package's plugin entries. Accepts a default export (plugin or array) or named plugin exports. */
export async function importPlugins(pkg: PluginPackage): Promise<Plugin[]> {
  const plugins: Plugin[] = [];
  for (const entry of pkg.entries) {
    if (!existsSync(entry)) {
      throw new DiscoveryError(
        `package ${pkg.name} declares plugin entry ${entry}, which does not exist (is the package built?)`,
      );
    }
    const module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    const fromDefault = module.default;
    const candidates = fromDefault !== undefined ? [fromDefault].flat() : Object.values(module);
    const found = candidates.filter(isPlugin);
    if (found.length === 0) {
      throw new DiscoveryError(
        `package ${pkg.name}: ${entry} exports no plugin; export the result of definePlugin({...}) ` +
          '(as default, an array as default, or named exports)',
      );
    }
    plugins.push(...found);
  }
  return plugins;
}

export interface DiscoveryResult {
  readonly registry: Registry;
  readonly packages: readonly PluginPackage[];
  /** Packages that could not be loaded (only when strict is false). */
  readonly problems: readonly string[];
}

/**
 * Builds a registry from the installed plugin packages. Installing a method package makes it appear here;
 * uninstalling it removes it. With `strict` (the default) the first broken package throws; otherwise it is
 * skipped and reported in `problems`, so one bad package does not hide the others from `attune list`.
 */
export async function discoverRegistry(
  options: DiscoverOptions & { strict?: boolean } = {},
): Promise<DiscoveryResult> {
  const strict = options.strict ?? true;
  const registry = new Registry();
  const problems: string[] = [];
  const packages = findPluginPackages(options);
  for (const pkg of packages) {
    try {
      for (const plugin of await importPlugins(pkg)) registry.register(plugin, pkg.name);
    } catch (error) {
      if (strict) throw error;
      problems.push((error as Error).message);
    }
  }
  return { registry, packages, problems };
}
