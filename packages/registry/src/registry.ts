import type { z } from 'zod';
import { configProblems } from './config-problems.js';
import { definePlugin, isPlugin, withPackage } from './define-plugin.js';
import {
  AmbiguousProviderError,
  DuplicatePluginError,
  InvalidConfigError,
  MalformedPluginError,
  NoProviderError,
  UnknownPluginError,
  UnmetCapabilityError,
  WrongProviderError,
} from './errors.js';
import type {
  Capability,
  CreateByCapabilityOptions,
  Plugin,
  PluginContext,
  PluginInstance,
  PluginKind,
  RegistryLike,
} from './plugin.js';
import { assertStrictConfig } from './strict-config.js';

type AnyPlugin = Plugin<z.ZodType, PluginInstance>;

export interface RegistryOptions {
  /** The provider to create for a capability several plugins provide, e.g. { 'onnx-inference': 'backend-onnx' }. */
  readonly defaultProviders?: Readonly<Record<Capability, string>>;
  /** Base config per plugin name, e.g. { 'backend-onnx': { intraOpNumThreads: 2 } } (see configure). */
  readonly configs?: Readonly<Record<string, Record<string, unknown>>>;
}

/** Holds the plugins of one process (CLI run, web server, test). Nothing is global. */
export class Registry implements RegistryLike {
  readonly #plugins = new Map<string, AnyPlugin>();
  readonly #defaultProviders = new Map<Capability, string>();
  readonly #configs = new Map<string, Record<string, unknown>>();

  constructor(options: RegistryOptions = {}) {
    for (const [capability, provider] of Object.entries(options.defaultProviders ?? {})) {
      this.setDefaultProvider(capability, provider);
    }
    for (const [name, config] of Object.entries(options.configs ?? {})) this.configure(name, config);
  }

  /**
   * Sets a plugin's base config: every `create` of it (directly or by capability, e.g. a model creating its
   * backend) starts from these values, and the caller's config overrides them field by field. This is how
   * a backend's threads and execution providers reach every model that runs on it. Validated at create.
   */
  configure(name: string, config: Record<string, unknown>): this {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new TypeError(`configure("${name}"): expected a config object, got ${JSON.stringify(config)}`);
    }
    this.#configs.set(name, { ...config });
    return this;
  }

  /** The base config set with configure ({} when none). */
  configured(name: string): Record<string, unknown> {
    return { ...(this.#configs.get(name) ?? {}) };
  }

  /**
   * Names the plugin `createByCapability` creates for a capability when the caller names none. Checked when
   * used (the provider may be registered later).
   */
  setDefaultProvider(capability: Capability, provider: string): this {
    this.#defaultProviders.set(capability, provider);
    return this;
  }

  /** The configured default provider of a capability, if any. */
  defaultProvider(capability: Capability): string | undefined {
    return this.#defaultProviders.get(capability);
  }

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
    const base = this.#configs.get(name);
    const merged =
      base && rawConfig !== null && typeof rawConfig === 'object' && !Array.isArray(rawConfig)
        ? { ...base, ...(rawConfig as Record<string, unknown>) }
        : rawConfig === undefined
          ? (base ?? {})
          : rawConfig; // null, an array or a scalar: parseConfig says what is expected
    const config = this.parseConfig(name, merged);
    this.assertNeedsMet(name);
    return (await this.get(name).create(config, { ...context, registry: this })) as I;
  }

  /**
   * The provider of a capability, by rule: the one named, else the configured default, else the single
   * provider; otherwise an error that lists the candidates.
   */
  chooseProvider(
    capability: Capability,
    options: Pick<CreateByCapabilityOptions, 'provider' | 'requester'> = {},
  ): AnyPlugin {
    const candidates = this.resolve(capability);
    const named = options.provider ?? this.defaultProvider(capability);
    if (named !== undefined) {
      const plugin = this.get(named);
      if (!plugin.provides.includes(capability)) {
        throw new WrongProviderError(
          capability,
          named,
          candidates.map((p) => p.name),
        );
      }
      return plugin;
    }
    if (candidates.length === 0)
      throw new NoProviderError(capability, this.capabilities(), options.requester);
    if (candidates.length > 1) {
      throw new AmbiguousProviderError(
        capability,
        candidates.map((p) => p.name),
        options.requester,
      );
    }
    return candidates[0]!;
  }

  /** Chooses the provider of a capability (see chooseProvider), then creates it as `create` does. */
  async createByCapability<I extends PluginInstance = PluginInstance>(
    capability: Capability,
    options: CreateByCapabilityOptions = {},
    context: Omit<PluginContext, 'registry'> = {},
  ): Promise<I> {
    const provider = this.chooseProvider(capability, options);
    // create() replaces any registry in the context with this one.
    return await this.create<I>(provider.name, options.config ?? {}, context);
  }
}
