import { describe, expect, it } from 'vitest';
import {
  DuplicatePluginError,
  definePlugin,
  InvalidConfigError,
  MalformedPluginError,
  Registry,
  UnknownPluginError,
  UnmetCapabilityError,
  z,
} from '../src/index.js';

const counterConfig = z.object({
  start: z.number().int().min(0).default(0),
  step: z.number().positive().default(1),
  mode: z.enum(['episodic', 'continual']).default('episodic'),
  optimizer: z.object({ lr: z.number().positive().default(5e-3) }).default({ lr: 5e-3 }),
});

function counterPlugin(name = 'counter', needs: string[] = []) {
  return definePlugin({
    name,
    kind: 'method',
    version: '1.0.0',
    description: 'Counts upwards; a tiny plugin used to exercise the registry.',
    config: counterConfig,
    needs,
    provides: ['counting'],
    create: (config) => {
      let value = config.start;
      return { next: () => (value += config.step), dispose: () => undefined };
    },
  });
}

const backendPlugin = definePlugin({
  name: 'backend-demo',
  kind: 'backend',
  version: '0.1.0',
  description: 'Provides input gradients.',
  config: z.object({}),
  provides: ['input-grad', 'onnx-inference'],
  create: () => ({ dispose: () => undefined }),
});

describe('definePlugin', () => {
  it('fills needs/provides and freezes the result', () => {
    const plugin = counterPlugin();
    expect(plugin.needs).toEqual([]);
    expect(plugin.provides).toEqual(['counting']);
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(plugin.package).toBe('');
  });

  it.each([
    ['Counter', /lowercase words joined by dashes.*"Counter"/],
    ['two--dashes', /lowercase words/],
    ['1st', /lowercase words/],
    ['', /lowercase words/],
  ])('rejects the malformed name %j', (name, message) => {
    expect(() => counterPlugin(name)).toThrow(MalformedPluginError);
    expect(() => counterPlugin(name)).toThrow(message);
  });

  it('rejects a config without defaults, naming the field', () => {
    expect(() =>
      definePlugin({
        name: 'no-defaults',
        kind: 'method',
        version: '1.0.0',
        description: 'x',
        config: z.object({ lr: z.number() }),
        create: () => ({ dispose() {} }),
      }),
    ).toThrow(/malformed plugin "no-defaults": config must give a default for every field/);
  });

  it('rejects a bad kind, version and capability with what would be right', () => {
    const base = { name: 'ok', description: 'x', config: z.object({}), create: () => ({ dispose() {} }) };
    expect(() => definePlugin({ ...base, kind: 'widget' as never, version: '1.0.0' })).toThrow(
      'kind must be one of method, model, backend, dataset, got "widget"',
    );
    expect(() => definePlugin({ ...base, kind: 'method', version: 'one' })).toThrow(/semver like "1.2.3"/);
    expect(() => definePlugin({ ...base, kind: 'method', version: '1.0.0', needs: ['Input Grad'] })).toThrow(
      /needs entries must be lowercase dashed names.*"Input Grad"/,
    );
  });

  it('rejects a config that is not an object schema', () => {
    expect(() =>
      definePlugin({
        name: 'bad-config',
        kind: 'method',
        version: '1.0.0',
        description: 'x',
        config: z.number().default(1) as never,
        create: () => ({ dispose() {} }),
      }),
    ).toThrow(/config must be a zod object schema/);
  });
});

describe('Registry', () => {
  it('registers, gets, lists by kind and resolves by capability', () => {
    const registry = new Registry().register(counterPlugin()).register(backendPlugin);
    expect(registry.get('counter').name).toBe('counter');
    expect(registry.list().map((p) => p.name)).toEqual(['backend-demo', 'counter']);
    expect(registry.list('backend').map((p) => p.name)).toEqual(['backend-demo']);
    expect(registry.resolve('input-grad').map((p) => p.name)).toEqual(['backend-demo']);
    expect(registry.resolve('nothing')).toEqual([]);
    expect(registry.capabilities()).toEqual(['counting', 'input-grad', 'onnx-inference']);
  });

  it('ignores falsy entries so callers can write cond && plugin', () => {
    const registry = new Registry().register(false).register(null).register(undefined);
    expect(registry.list()).toEqual([]);
  });

  it('names the known plugins and the closest match for an unknown one', () => {
    const registry = new Registry().register(counterPlugin()).register(backendPlugin);
    let error: unknown;
    try {
      registry.get('countr');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownPluginError);
    expect((error as UnknownPluginError).suggestion).toBe('counter');
    expect((error as Error).message).toBe(
      'unknown plugin "countr". Did you mean "counter"? Known plugins: backend-demo, counter.',
    );
    expect(() => registry.get('zzzzzzzzzzzz')).toThrow(/^unknown plugin "zzzzzzzzzzzz"\. Known plugins/);
  });

  it('refuses a duplicate name, naming both packages', () => {
    const registry = new Registry().register(counterPlugin(), '@attune/method-a');
    expect(() => registry.register(counterPlugin(), '@attune/method-b')).toThrow(DuplicatePluginError);
    expect(() => registry.register(counterPlugin(), '@attune/method-b')).toThrow(
      'plugin "counter" is already registered (from package @attune/method-a); package @attune/method-b declares it again',
    );
  });

  it('refuses an object that is not a plugin', () => {
    expect(() => new Registry().register({ name: 'x' } as never)).toThrow(MalformedPluginError);
  });

  it('parses config with defaults filled in', () => {
    const registry = new Registry().register(counterPlugin());
    expect(registry.parseConfig('counter', { step: 2 })).toEqual({
      start: 0,
      step: 2,
      mode: 'episodic',
      optimizer: { lr: 5e-3 },
    });
    expect(registry.defaults('counter')).toEqual({
      start: 0,
      step: 1,
      mode: 'episodic',
      optimizer: { lr: 5e-3 },
    });
  });

  it('reports every invalid config field with path, expected and got', () => {
    const registry = new Registry().register(counterPlugin());
    let error: InvalidConfigError | undefined;
    try {
      registry.parseConfig('counter', { start: 1.5, step: -1, mode: 'batch', optimizer: { lr: 'fast' } });
    } catch (e) {
      error = e as InvalidConfigError;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error!.problems).toEqual([
      { path: 'start', expected: 'an integer', got: '1.5 (number)' },
      { path: 'step', expected: '> 0', got: '-1 (number)' },
      { path: 'mode', expected: 'one of "episodic", "continual"', got: '"batch" (string)' },
      { path: 'optimizer.lr', expected: 'a number', got: '"fast" (string)' },
    ]);
    expect(error!.message).toMatch(
      /^invalid config for plugin "counter": start: expected an integer, got 1\.5/,
    );
  });

  it('refuses unknown config keys, naming the closest known key', () => {
    const strict = definePlugin({
      name: 'strict',
      kind: 'method',
      version: '1.0.0',
      description: 'x',
      config: z.strictObject({ lr: z.number().default(1) }),
      create: () => ({ dispose() {} }),
    });
    const registry = new Registry().register(strict);
    expect(() => registry.parseConfig('strict', { lr: 1, lrr: 2 })).toThrow(
      'unknown option "lrr" for strict; did you mean "lr"?',
    );
  });

  it('creates an instance only when its needs are met', async () => {
    const registry = new Registry().register(counterPlugin('tuner', ['input-grad']));
    await expect(registry.create('tuner')).rejects.toThrow(UnmetCapabilityError);
    await expect(registry.create('tuner')).rejects.toThrow(
      'plugin "tuner" needs "input-grad", which no installed plugin provides (provided: counting)',
    );
    registry.register(backendPlugin);
    const instance = await registry.create<{ next(): number; dispose(): void }>('tuner', {
      start: 10,
      step: 5,
    });
    expect(instance.next()).toBe(15);
    expect(instance.next()).toBe(20);
  });

  it('passes the registry and seed to create', async () => {
    let seen: { seed?: number; hasRegistry: boolean } | undefined;
    const probe = definePlugin({
      name: 'probe',
      kind: 'method',
      version: '1.0.0',
      description: 'x',
      config: z.object({}),
      create: (_config, context) => {
        seen = { seed: context.seed, hasRegistry: context.registry.get('probe').name === 'probe' };
        return { dispose() {} };
      },
    });
    await new Registry().register(probe).create('probe', {}, { seed: 7 });
    expect(seen).toEqual({ seed: 7, hasRegistry: true });
  });
});
