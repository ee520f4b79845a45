import { isDeepStrictEqual } from 'node:util';
import {
  configJsonSchema,
  InvalidConfigError,
  type Plugin,
  type PluginInstance,
  Registry,
} from '@attune/registry';
import { tf } from '@attune/tensor';
import type { BadConfigCase } from './bad-configs.js';

/** Thrown by a conformance check; the message says which rule the plugin broke and how. */
export class ConformanceError extends Error {
  override readonly name = 'ConformanceError';
}

function fail(plugin: Plugin, rule: string, detail: string): never {
  throw new ConformanceError(`plugin "${plugin.name}" breaks "${rule}": ${detail}`);
}

export interface CheckTarget<Instance extends PluginInstance, Output> {
  readonly plugin: Plugin;
  /** A registry holding the plugin and what it needs; default: the plugin alone. */
  readonly registry?: () => Registry | Promise<Registry>;
  readonly config?: Record<string, unknown>;
  readonly exercise: (instance: Instance, seed: number) => Output | Promise<Output>;
}

export async function makeRegistry(target: CheckTarget<PluginInstance, unknown>): Promise<Registry> {
  return target.registry ? await target.registry() : new Registry().register(target.plugin);
}

async function createInstance<Instance extends PluginInstance>(
  target: CheckTarget<Instance, unknown>,
  registry: Registry,
  seed: number,
): Promise<Instance> {
  return registry.create<Instance>(target.plugin.name, target.config ?? {}, { seed });
}

/** Defaults parse, survive JSON, and appear as `default` for every field of the exported JSON Schema. */
export function checkSchemaRoundTrip(plugin: Plugin): void {
  const rule = 'schema round-trip';
  const defaults = plugin.config.parse({}) as Record<string, unknown>;
  const again = plugin.config.parse(JSON.parse(JSON.stringify(defaults)));
  if (!isDeepStrictEqual(again, defaults)) {
    fail(
      plugin,
      rule,
      `defaults change after a JSON round-trip: ${JSON.stringify(defaults)} -> ${JSON.stringify(again)}`,
    );
  }
  const properties = (configJsonSchema(plugin).properties ?? {}) as Record<string, { default?: unknown }>;
  for (const key of Object.keys(defaults)) {
    const property = properties[key];
    if (!property) fail(plugin, rule, `field "${key}" is missing from the JSON Schema`);
    if (!isDeepStrictEqual(property.default, defaults[key])) {
      fail(
        plugin,
        rule,
        `JSON Schema default of "${key}" is ${JSON.stringify(property.default)}, expected ${JSON.stringify(defaults[key])}`,
      );
    }
  }
}

/** A bad config is refused with InvalidConfigError naming the offending path. */
export async function checkBadConfigRejected<Instance extends PluginInstance, Output>(
  target: CheckTarget<Instance, Output>,
  badConfig: BadConfigCase,
): Promise<void> {
  const rule = 'bad config rejected with a clear error';
  const registry = await makeRegistry(target as CheckTarget<PluginInstance, unknown>);
  let error: unknown;
  let instance: PluginInstance | undefined;
  try {
    instance = await registry.create(target.plugin.name, badConfig.config);
  } catch (e) {
    error = e;
  }
  if (instance) {
    await instance.dispose();
    fail(target.plugin, rule, `accepted ${JSON.stringify(badConfig.config)}`);
  }
  if (!(error instanceof InvalidConfigError)) {
    fail(
      target.plugin,
      rule,
      `${JSON.stringify(badConfig.config)} threw ${String(error)}, expected InvalidConfigError`,
    );
  }
  if (!error.problems.some((p) => p.path === badConfig.path)) {
    fail(
      target.plugin,
      rule,
      `error for ${JSON.stringify(badConfig.config)} does not name "${badConfig.path}": ${error.message}`,
    );
  }
}

/** Creating then disposing an instance leaves the tfjs tensor count where it was. */
export async function checkCreateDispose<Instance extends PluginInstance, Output>(
  target: CheckTarget<Instance, Output>,
): Promise<void> {
  const registry = await makeRegistry(target as CheckTarget<PluginInstance, unknown>);
  const before = tf.memory().numTensors;
  const instance = await createInstance(target, registry, 0);
  await instance.dispose();
  const after = tf.memory().numTensors;
  if (after !== before) {
    fail(
      target.plugin,
      'create/dispose',
      `${after - before} tensors remain after dispose (before ${before}, after ${after})`,
    );
  }
}

/** Two fresh instances with the same seed give deep-equal outputs. */
export async function checkDeterminism<Instance extends PluginInstance, Output>(
  target: CheckTarget<Instance, Output>,
  seed = 1234,
): Promise<Output> {
  const registry = await makeRegistry(target as CheckTarget<PluginInstance, unknown>);
  const outputs: Output[] = [];
  for (let i = 0; i < 2; i++) {
    const instance = await createInstance(target, registry, seed);
    try {
      outputs.push(await target.exercise(instance, seed));
    } finally {
      await instance.dispose();
    }
  }
  if (!isDeepStrictEqual(outputs[0], outputs[1])) {
    fail(
      target.plugin,
      'same output under the same seed',
      `seed ${seed} gave ${preview(outputs[0])} then ${preview(outputs[1])}`,
    );
  }
  return outputs[0] as Output;
}

/** After a first call (which may fill caches owned by the instance), more calls leave the tensor count unchanged. */
export async function checkNoLeaks<Instance extends PluginInstance>(
  target: CheckTarget<Instance, unknown>,
  repeats = 3,
): Promise<void> {
  const registry = await makeRegistry(target as CheckTarget<PluginInstance, unknown>);
  const instance = await createInstance(target, registry, 0);
  try {
    await target.exercise(instance, 0);
    const settled = tf.memory().numTensors;
    for (let i = 1; i <= repeats; i++) {
      await target.exercise(instance, i);
      const now = tf.memory().numTensors;
      if (now !== settled) {
        fail(
          target.plugin,
          'no tensor leaks',
          `call ${i + 1} left ${now - settled} more tensors than call 1`,
        );
      }
    }
  } finally {
    await instance.dispose();
  }
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
