import { z } from 'zod';
import { MalformedPluginError } from './errors.js';
import type { Plugin, PluginInstance, PluginSpec } from './plugin.js';

/** Lowercase words joined by single dashes: 'tpt', 'sts-ensemble', 'backend-onnx'. */
export const PLUGIN_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** Kinds are open: any lowercase dashed word ('method', 'suite', 'moe-router'); none is reserved. */
export const PLUGIN_KIND_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const CAPABILITY_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SEMVER_PATTERN = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Validates a plugin spec and returns it as a frozen Plugin. Like PEFT's registration, a broken plugin fails
 * here, at import time, rather than when a user first runs it.
 */
export function definePlugin<Schema extends z.ZodType, Instance extends PluginInstance>(
  spec: PluginSpec<Schema, Instance>,
): Plugin<Schema, Instance> {
  const label = typeof spec?.name === 'string' ? spec.name : String(spec?.name);
  const fail = (problem: string): never => {
    throw new MalformedPluginError(label, problem);
  };
  if (spec === null || typeof spec !== 'object') fail(`expected a plugin object, got ${typeof spec}`);
  if (typeof spec.name !== 'string' || !PLUGIN_NAME_PATTERN.test(spec.name)) {
    fail(
      `name must be lowercase words joined by dashes (e.g. "sts-ensemble"), got ${JSON.stringify(spec.name)}`,
    );
  }
  if (typeof spec.kind !== 'string' || !PLUGIN_KIND_PATTERN.test(spec.kind)) {
    fail(
      `kind must be a lowercase dashed word such as "method", "backend" or "suite", got ${JSON.stringify(spec.kind)}`,
    );
  }
  if (typeof spec.version !== 'string' || !SEMVER_PATTERN.test(spec.version)) {
    fail(`version must be semver like "1.2.3", got ${JSON.stringify(spec.version)}`);
  }
  if (typeof spec.description !== 'string' || spec.description.trim() === '') {
    fail('description must be a non-empty sentence saying what the plugin does');
  }
  if (!isZodObjectSchema(spec.config)) {
    fail('config must be a zod object schema (z.object({...})) so it can be exported as JSON Schema');
  }
  const defaults = spec.config.safeParse({});
  if (!defaults.success) {
    fail(
      `config must give a default for every field; parsing {} failed: ${defaults.error.issues[0]?.message}`,
    );
  }
  try {
    z.toJSONSchema(spec.config, { io: 'input', unrepresentable: 'throw' });
  } catch (error) {
    fail(`config cannot be exported as JSON Schema: ${(error as Error).message}`);
  }
  const needs = checkCapabilities('needs', spec.needs, fail);
  const provides = checkCapabilities('provides', spec.provides, fail);
  if (typeof spec.create !== 'function') fail('create must be a function (config, context) => instance');
  return Object.freeze({ ...spec, needs, provides, package: '' });
}

function checkCapabilities(
  field: string,
  value: unknown,
  fail: (problem: string) => never,
): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value))
    return fail(`${field} must be an array of capability names, got ${typeof value}`);
  for (const cap of value) {
    if (typeof cap !== 'string' || !CAPABILITY_PATTERN.test(cap)) {
      fail(`${field} entries must be lowercase dashed names like "input-grad", got ${JSON.stringify(cap)}`);
    }
  }
  return Object.freeze([...new Set(value as string[])]);
}

/** Marks a plugin as coming from an npm package (done by discovery). */
export function withPackage<P extends Plugin>(plugin: P, packageName: string): P {
  return Object.freeze({ ...plugin, package: packageName });
}

/**
 * Duck-typed rather than `instanceof`: a plugin package may bring its own copy of zod 4, and its schemas
 * are still fine to validate and export.
 */
function isZodSchema(value: unknown): value is z.ZodType {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as z.ZodType).safeParse === 'function' &&
    typeof (value as { _zod?: { def?: unknown } })._zod?.def === 'object'
  );
}

function isZodObjectSchema(value: unknown): value is z.ZodObject {
  return isZodSchema(value) && (value as { _zod: { def: { type: string } } })._zod.def.type === 'object';
}

/** True for objects made by definePlugin (or shaped like them): used by discovery to find exports. */
export function isPlugin(value: unknown): value is Plugin {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Plugin).name === 'string' &&
    typeof (value as Plugin).create === 'function' &&
    isZodSchema((value as Plugin).config)
  );
}
