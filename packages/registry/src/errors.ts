import { closest, distance } from 'fastest-levenshtein';

/** Base class: every registry error names what is wrong and what would be right. */
export class RegistryError extends Error {
  override readonly name: string = 'RegistryError';
}

export class UnknownPluginError extends RegistryError {
  override readonly name = 'UnknownPluginError';
  readonly suggestion: string | undefined;
  constructor(
    readonly requested: string,
    readonly known: readonly string[],
  ) {
    const suggestion = closestName(requested, known);
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
    const list = known.length > 0 ? known.join(', ') : '(none installed)';
    super(`unknown plugin "${requested}".${hint} Known plugins: ${list}.`);
    this.suggestion = suggestion;
  }
}

/** The known name nearest to `name`, when it is near enough to be a plausible typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(name, [...known]);
  const prefixMatch = known.find((k) => k.startsWith(name) || name.startsWith(k));
  if (distance(name, best) <= Math.max(2, Math.floor(name.length / 3))) return best;
  return prefixMatch;
}

export class DuplicatePluginError extends RegistryError {
  override readonly name = 'DuplicatePluginError';
  constructor(pluginName: string, existingPackage: string, newPackage: string) {
    const from = (p: string) => (p ? `package ${p}` : 'a direct registration');
    super(
      `plugin "${pluginName}" is already registered (from ${from(existingPackage)}); ` +
        `${from(newPackage)} declares it again. Plugin names must be unique: rename one or uninstall one.`,
    );
  }
}

export class MalformedPluginError extends RegistryError {
  override readonly name = 'MalformedPluginError';
  constructor(pluginName: string, problem: string) {
    super(`malformed plugin "${pluginName}": ${problem}`);
  }
}

export interface ConfigProblem {
  /** Dotted path into the config, e.g. 'optimizer.lr' or '(root)'. */
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

export class InvalidConfigError extends RegistryError {
  override readonly name: string = 'InvalidConfigError';
  constructor(
    readonly pluginName: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    const lines = problems.map((p) => `${p.path}: expected ${p.expected}, got ${p.got}`);
    super(`invalid config for plugin "${pluginName}": ${lines.join('; ')}`);
  }
}

export class UnmetCapabilityError extends RegistryError {
  override readonly name = 'UnmetCapabilityError';
  constructor(
    readonly pluginName: string,
    readonly missing: readonly string[],
    readonly available: readonly string[],
  ) {
    const have = available.length > 0 ? available.join(', ') : 'none';
    super(
      `plugin "${pluginName}" needs ${missing.map((m) => `"${m}"`).join(', ')}, which no installed plugin provides ` +
        `(provided: ${have}). Install a package that provides it.`,
    );
  }
}

/** No installed plugin provides a capability someone asked the registry to create. */
export class NoProviderError extends RegistryError {
  override readonly name = 'NoProviderError';
  constructor(
    readonly capability: string,
    readonly available: readonly string[],
    requester?: string,
  ) {
    const who = requester ? `plugin "${requester}" needs` : 'asked for';
    const have = available.length > 0 ? available.join(', ') : 'none';
    super(
      `${who} a plugin that provides "${capability}", but no installed plugin provides it ` +
        `(provided: ${have}). Install a package that provides "${capability}".`,
    );
  }
}

/** Several plugins provide a capability and nothing says which one to create. */
export class AmbiguousProviderError extends RegistryError {
  override readonly name = 'AmbiguousProviderError';
  constructor(
    readonly capability: string,
    readonly candidates: readonly string[],
    requester?: string,
  ) {
    const who = requester ? ` (needed by "${requester}")` : '';
    super(
      `${candidates.length} plugins provide "${capability}"${who}: ${candidates.join(', ')}. ` +
        `Name one as the provider, or set the registry's default provider for "${capability}".`,
    );
  }
}

/** A provider was named for a capability it does not provide. */
export class WrongProviderError extends RegistryError {
  override readonly name = 'WrongProviderError';
  constructor(
    readonly capability: string,
    readonly provider: string,
    readonly candidates: readonly string[],
  ) {
    const list = candidates.length > 0 ? candidates.join(', ') : 'none installed';
    super(`plugin "${provider}" does not provide "${capability}"; plugins that do: ${list}.`);
  }
}

export class DiscoveryError extends RegistryError {
  override readonly name = 'DiscoveryError';
}
