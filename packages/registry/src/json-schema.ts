import { z } from 'zod';
import type { Plugin } from './plugin.js';

/**
 * The plugin's config as JSON Schema (draft 2020-12), defaults included, so the web app can render a form
 * and other tools can validate without zod. Uses zod's own exporter rather than a hand-written one.
 */
export function configJsonSchema(plugin: Plugin): Record<string, unknown> {
  return z.toJSONSchema(plugin.config, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
}

/** What `attune info` and the web app show about a plugin. */
export interface PluginInfo {
  readonly name: string;
  readonly kind: string;
  readonly version: string;
  readonly package: string;
  readonly description: string;
  readonly needs: readonly string[];
  readonly provides: readonly string[];
  readonly defaults: Record<string, unknown>;
  readonly schema: Record<string, unknown>;
}

export function pluginInfo(plugin: Plugin): PluginInfo {
  return {
    name: plugin.name,
    kind: plugin.kind,
    version: plugin.version,
    package: plugin.package,
    description: plugin.description,
    needs: plugin.needs,
    provides: plugin.provides,
    defaults: plugin.config.parse({}) as Record<string, unknown>,
    schema: configJsonSchema(plugin),
  };
}
