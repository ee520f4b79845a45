import { describe, expect, it } from 'vitest';
import {
  AmbiguousProviderError,
  DuplicatePluginError,
  definePlugin,
  InvalidConfigError,
  MalformedPluginError,
  NoProviderError,
  Registry,
  UnknownPluginError,
  UnmetCapabilityError,
  WrongProviderError,
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
    expect(() => definePlugin({ ...base, kind: 'Widget Kind', version: '1.0.0' })).toThrow(
      'kind must be a lowercase dashed word such as "method", "backend" or "suite", got "Widget Kind"',
    );
    expect(() => definePlugin({ ...base, kind: 42 as never, version: '1.0.0' })).toThrow(/got 42/);
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

describe('open plugin kinds', () => {
  it('accepts a kind the registry has never heard of and lists by it', () => {
    const remixer = definePlugin({
      name: 'remixer',
      kind: 'moe-router',
      version: '0.1.0',
      description: 'A plugin of a new kind.',
      config: z.object({}),
      create: () => ({ dispose: () => undefined }),
    });
    const registry = new Registry().register(remixer).register(counterPlugin());
    expect(registry.list('moe-router').map((p) => p.name)).toEqual(['remixer']);
  });
});

describe('createByCapability', () => {
  const otherBackend = definePlugin({
    name: 'backend-other',
    kind: 'backend',
    version: '0.1.0',
    description: 'A second onnx-inference provider.',
    config: z.object({ threads: z.number().int().min(1).default(1) }),
    provides: ['onnx-inference'],
    create: (config) => ({ threads: config.threads, dispose: () => undefined }),
  });

  it('creates the single provider with its config validated and the context passed on', async () => {
    const registry = new Registry().register(counterPlugin()).register(backendPlugin);
    const counter = await registry.createByCapability<{ next(): number; dispose(): void }>(
      'counting',
      { config: { start: 10, step: 5 } },
      { seed: 3 },
    );
    expect(counter.next()).toBe(15);
    await expect(registry.createByCapability('counting', { config: { step: -1 } })).rejects.toThrow(
      InvalidConfigError,
    );
  });

  it('chooses the named provider, else the configured default, else errors listing the candidates', async () => {
    const registry = new Registry().register(backendPlugin).register(otherBackend);
    await expect(registry.createByCapability('onnx-inference', { requester: 'clip' })).rejects.toThrow(
      new AmbiguousProviderError('onnx-inference', ['backend-demo', 'backend-other'], 'clip'),
    );
    expect(() => registry.chooseProvider('onnx-inference')).toThrow(
      '2 plugins provide "onnx-inference": backend-demo, backend-other. Name one as the provider, or set the registry\'s default provider for "onnx-inference".',
    );
    const named = await registry.createByCapability<{ threads: number; dispose(): void }>('onnx-inference', {
      provider: 'backend-other',
      config: { threads: 4 },
    });
    expect(named.threads).toBe(4);
    registry.setDefaultProvider('onnx-inference', 'backend-other');
    expect(registry.chooseProvider('onnx-inference').name).toBe('backend-other');
    expect(registry.chooseProvider('onnx-inference', { provider: 'backend-demo' }).name).toBe('backend-demo');
    const configured = new Registry({ defaultProviders: { 'onnx-inference': 'backend-demo' } })
      .register(backendPlugin)
      .register(otherBackend);
    expect(configured.chooseProvider('onnx-inference').name).toBe('backend-demo');
  });

  it('refuses a provider that does not provide the capability, an unknown one, and a missing capability', () => {
    const registry = new Registry().register(counterPlugin()).register(backendPlugin);
    expect(() => registry.chooseProvider('input-grad', { provider: 'counter' })).toThrow(
      new WrongProviderError('input-grad', 'counter', ['backend-demo']),
    );
    expect(() => registry.chooseProvider('input-grad', { provider: 'counter' })).toThrow(
      'plugin "counter" does not provide "input-grad"; plugins that do: backend-demo.',
    );
    expect(() => registry.chooseProvider('input-grad', { provider: 'backend-dem' })).toThrow(
      UnknownPluginError,
    );
    expect(() => registry.chooseProvider('vision-language', { requester: 'tpt' })).toThrow(
      'plugin "tpt" needs a plugin that provides "vision-language", but no installed plugin provides it (provided: counting, input-grad, onnx-inference). Install a package that provides "vision-language".',
    );
    expect(() => registry.chooseProvider('vision-language')).toThrow(NoProviderError);
  });

  it("checks the chosen provider's needs", async () => {
    const registry = new Registry().register(counterPlugin('needy', ['input-grad']));
    await expect(registry.createByCapability('counting')).rejects.toThrow(UnmetCapabilityError);
  });
});

describe('configure', () => {
  it("gives every create of a plugin its base config, overridden field by field by the caller's", async () => {
    const registry = new Registry({ configs: { counter: { start: 100, step: 2 } } }).register(
      counterPlugin(),
    );
    const a = await registry.create<{ next(): number; dispose(): void }>('counter');
    expect(a.next()).toBe(102);
    const b = await registry.createByCapability<{ next(): number; dispose(): void }>('counting', {
      config: { step: 10 },
    });
    expect(b.next()).toBe(110);
    expect(registry.configured('counter')).toEqual({ start: 100, step: 2 });
    registry.configure('counter', { step: -1 });
    await expect(registry.create('counter')).rejects.toThrow(InvalidConfigError);
    expect(() => registry.configure('counter', [] as never)).toThrow('expected a config object, got []');
  });
});
