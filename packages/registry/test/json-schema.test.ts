import { describe, expect, it } from 'vitest';
import { definePlugin, pluginInfo, z } from '../src/index.js';

const plugin = definePlugin({
  name: 'tpt-like',
  kind: 'method',
  version: '1.0.0',
  description: 'A config shaped like TPT.',
  config: z.object({
    views: z.number().int().min(2).default(64).describe('augmented views per sample, view 0 included'),
    selection: z.number().gt(0).lte(1).default(0.1),
    init: z.string().default('a photo of a'),
    mode: z.enum(['episodic', 'continual']).default('episodic'),
  }),
  needs: ['vision-language'],
  create: () => ({ dispose() {} }),
});

describe('pluginInfo / configJsonSchema', () => {
  it('exports the schema as JSON Schema with defaults, types, bounds and descriptions', () => {
    const info = pluginInfo(plugin);
    expect(info.defaults).toEqual({ views: 64, selection: 0.1, init: 'a photo of a', mode: 'episodic' });
    const props = info.schema.properties as Record<string, Record<string, unknown>>;
    expect(info.schema.type).toBe('object');
    expect(props.views).toMatchObject({ type: 'integer', minimum: 2, default: 64 });
    expect(props.views!.description).toBe('augmented views per sample, view 0 included');
    expect(props.selection).toMatchObject({ type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.1 });
    expect(props.mode).toMatchObject({ enum: ['episodic', 'continual'], default: 'episodic' });
    expect(info.needs).toEqual(['vision-language']);
  });

  it('round-trips: defaults survive JSON and parse back to themselves', () => {
    const defaults = plugin.config.parse({});
    const again = plugin.config.parse(JSON.parse(JSON.stringify(defaults)));
    expect(again).toEqual(defaults);
  });
});
