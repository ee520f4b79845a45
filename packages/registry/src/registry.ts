import type { z } from 'zod';
import { configProblems } from './config-problems.js';
import { definePlugin, isPlugin, withPackage } from './define-plugin.js';
import {
  DuplicatePluginError,
  InvalidConfigError,
  MalformedPluginError,
  UnknownPluginError,
  UnmetCapabilityError,
} from './errors.js';
import type {
  Capability,
  Plugin,
  PluginContext,
  PluginInstance,
  PluginKind,
  RegistryLike,
} from './plugin.js';
import { assertStrictConfig } from './strict-config.js';

type AnyPlugin = Plugin<z.ZodType, PluginInstance>;

/** Holds the plugins of one process (CLI run, web server, test). Nothing is global. */
export class Registry implements RegistryLike {
  readonly #plugins = new Map<string, AnyPlugin>();

  /**
   * Adds a plugin. Falsy entries are ignored so callers can write `cond && plugin` (as Vite does).
   * Objects that did not pass through definePlugin are validated here too.
   */
  register(plugin: AnyPlugin | false | null | undefined, packageName?: string): this {
    if (!plugin) return this;
    if (!isPlugin(plugin)) {
      const name = (plugin as { name?: unknown })?.name;
      throw new MalformedPluginError(
        String(name),
        'not a plugin object: expected the result of definePlugin({...})',
      );
    }
    const checked = definePlugin(plugin);
    const pkg = packageName ?? plugin.package ?? '';
    const existing = this.#plugins.get(checked.name);
    if (existing) throw new DuplicatePluginError(checked.name, existing.package, pkg);
    this.#plugins.set(checked.name, withPackage(checked, pkg));
    return this;
  }

  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  get(name: string): AnyPlugin {
    const plugin = this.#plugins.get(name);
    if (!plugin) throw new UnknownPluginError(name, this.names());
    return plugin;
  }

  names(): string[] {
    return [...this.#plugins.keys()].sort();
  }

  /** All plugins, or those of one kind, sorted by name. */
  list(kind?: PluginKind): AnyPlugin[] {
    return this.names()
      .map((n) => this.#plugins.get(n)!)
      .filter((p) => kind === undefined || p.kind === kind);
  }

  /** Plugins that provide a capability. */
  resolve(capability: Capability): AnyPlugin[] {
    return this.list().filter((p) => p.provides.includes(capability));
  }

  /** Every capability some registered plugin provides. */
  capabilities(): string[] {
    return [...new Set(this.list().flatMap((p) => p.provides))].sort();
  }

  /** The needs of a plugin that no registered plugin provides. */
  unmetNeeds(name: string): string[] {
    const provided = new Set(this.capabilities());
    return this.get(name).needs.filter((need) => !provided.has(need));
  }

  /** Throws UnmetCapabilityError when something the plugin needs is not installed. */
  assertNeedsMet(name: string): void {
    const missing = this.unmetNeeds(name);
    if (missing.length > 0) throw new UnmetCapabilityError(name, missing, this.capabilities());
  }

  /** The plugin's defaults (its schema parsed from {}). */
  defaults(name: string): Record<string, unknown> {
    return this.get(name).config.parse({}) as Record<string, unknown>;
  }

  /**
   * Validates a raw config (from a CLI flag, a form, a file) and fills in defaults. Strict: a config that is
   * not an object, or has a key the schema does not know, is an error (see strict-config.ts).
   */
  parseConfig<P extends AnyPlugin>(name: string, raw: unknown = {}): z.output<P['config']> {
    const plugin = this.get(name);
    assertStrictConfig(name, plugin.config, raw);
    const result = plugin.config.safeParse(raw);
    if (!result.success) throw new InvalidConfigError(name, configProblems(result.error, raw));
    return result.data as z.output<P['config']>;
  }

  /** Validates config, checks capabilities, then creates an instance. */
  async create<I extends PluginInstance = PluginInstance>(
    name: string,
    rawConfig: unknown = {},
    context: Omit<PluginContext, 'registry'> = {},
  ): Promise<I> {
    const config = this.parseConfig(name, rawConfig);
    this.assertNeedsMet(name);
    return (await this.get(name).create(config, { ...context, registry: this })) as I;
  }
}
