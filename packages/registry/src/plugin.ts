import type { z } from 'zod';

/**
 * What a plugin is: an open, lowercase dashed word ('method', 'model', 'backend', 'dataset', 'suite', ...).
 * Methods adapt or tune models; the others supply what methods run on. A new kind needs no registry edit.
 */
export type PluginKind = string;

/**
 * Capabilities are plain strings, e.g. 'vision-language', 'input-grad', 'causal-lm', 'onnx-inference'.
 * A plugin `needs` some and `provides` some; the registry resolves needs against what installed plugins provide.
 */
export type Capability = string;

/** Handed to `create`: the registry (to resolve other plugins) and a seed when the caller fixes one. */
export interface PluginContext {
  readonly registry: RegistryLike;
  readonly seed?: number;
  /** Reports progress of long work (loading, adapting); the CLI and web app draw it. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

/** Anything `create` returns must be disposable: it may hold tensors, sessions or files. */
export interface PluginInstance {
  dispose(): void | Promise<void>;
}

export interface PluginSpec<
  Schema extends z.ZodType = z.ZodType,
  Instance extends PluginInstance = PluginInstance,
> {
  /** Unique, lowercase: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/ (e.g. 'tpt', 'backend-onnx', 'sts-ensemble'). */
  readonly name: string;
  readonly kind: PluginKind;
  /** semver of the plugin (usually the package's version). */
  readonly version: string;
  /** One sentence: what it does. */
  readonly description: string;
  /** A zod object schema with a default for every field, so `config.parse({})` gives the defaults. */
  readonly config: Schema;
  readonly needs?: readonly Capability[];
  readonly provides?: readonly Capability[];
  create(config: z.output<Schema>, context: PluginContext): Instance | Promise<Instance>;
}

/** A validated, registered plugin (what definePlugin returns). */
export interface Plugin<
  Schema extends z.ZodType = z.ZodType,
  Instance extends PluginInstance = PluginInstance,
> extends PluginSpec<Schema, Instance> {
  readonly needs: readonly Capability[];
  readonly provides: readonly Capability[];
  /** The npm package that declared it, filled in by discovery ('' when registered by hand). */
  readonly package: string;
}

/** How `createByCapability` picks and configures the provider of a capability. */
export interface CreateByCapabilityOptions {
  /** The provider's plugin name; default: the registry's configured default, else the single provider. */
  readonly provider?: string;
  /** The provider's raw config (validated, defaults filled in). */
  readonly config?: unknown;
  /** Who asks (a plugin name), so an error can say whose need went unmet. */
  readonly requester?: string;
}

/** The part of Registry a plugin's `create` may use (kept small so plugins don't depend on internals). */
export interface RegistryLike {
  get(name: string): Plugin;
  list(kind?: PluginKind): readonly Plugin[];
  resolve(capability: Capability): readonly Plugin[];
  /** The provider `createByCapability` would choose for a capability (same rule, same errors). */
  chooseProvider(
    capability: Capability,
    options?: Pick<CreateByCapabilityOptions, 'provider' | 'requester'>,
  ): Plugin;
  /**
   * Creates whichever plugin provides `capability`: the provider named in options, else the configured
   * default for the capability, else the only provider, else an error listing the candidates. Its config is
   * validated and its needs checked, as `create` does. `context` is passed on (its registry is replaced).
   */
  createByCapability<I extends PluginInstance = PluginInstance>(
    capability: Capability,
    options?: CreateByCapabilityOptions,
    context?: Omit<PluginContext, 'registry'>,
  ): Promise<I>;
}
