export { z } from 'zod';
export { configProblems, describeValue } from './config-problems.js';
export { definePlugin, isPlugin, PLUGIN_NAME_PATTERN, withPackage } from './define-plugin.js';
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
  type ConfigProblem,
  closestName,
  DiscoveryError,
  DuplicatePluginError,
  InvalidConfigError,
  MalformedPluginError,
  RegistryError,
  UnknownPluginError,
  UnmetCapabilityError,
} from './errors.js';
export { configJsonSchema, type PluginInfo, pluginInfo } from './json-schema.js';
export {
  type Capability,
  PLUGIN_KINDS,
  type Plugin,
  type PluginContext,
  type PluginInstance,
  type PluginKind,
  type PluginSpec,
  type ProgressEvent,
  type RegistryLike,
} from './plugin.js';
export { nearestPackageRoot, type ProjectRoots, projectRoots } from './project-roots.js';
export { Registry } from './registry.js';
export { assertStrictConfig, type UnknownConfigKey, UnknownConfigKeyError } from './strict-config.js';
