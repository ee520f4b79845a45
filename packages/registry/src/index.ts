export { z } from 'zod';
export { configProblems, describeValue } from './config-problems.js';
export {
  definePlugin,
  isPlugin,
  PLUGIN_KIND_PATTERN,
  PLUGIN_NAME_PATTERN,
  withPackage,
} from './define-plugin.js';
export {
  type AttunePackageField,
  type DiscoverOptions,
  type DiscoveryResult,
  discoverRegistry,
  findPluginPackages,
  importPlugins,
  type PluginPackage,
  readPluginPackage,
} from './discovery.js';
export {
  AmbiguousProviderError,
  type ConfigProblem,
  closestName,
  DiscoveryError,
  DuplicatePluginError,
  InvalidConfigError,
  MalformedPluginError,
  NoProviderError,
  RegistryError,
  UnknownPluginError,
  UnmetCapabilityError,
  WrongProviderError,
} from './errors.js';
export { configJsonSchema, type PluginInfo, pluginInfo } from './json-schema.js';
export type {
  Capability,
  CreateByCapabilityOptions,
  Plugin,
  PluginContext,
  PluginInstance,
  PluginKind,
  PluginSpec,
  ProgressEvent,
  RegistryLike,
} from './plugin.js';
export { nearestPackageRoot, type ProjectRoots, projectRoots } from './project-roots.js';
export { Registry, type RegistryOptions } from './registry.js';
export { assertStrictConfig, type UnknownConfigKey, UnknownConfigKeyError } from './strict-config.js';
