import { describe, expect, it } from 'vitest';
import { definePlugin, InvalidConfigError, Registry, UnknownConfigKeyError, z } from '../src/index.js';

const tptLike = definePlugin({
  name: 'tpt',
  kind: 'method',
  version: '1.0.0',
  description: 'A plugin shaped like TPT, to exercise strict configs.',
  config: z
    .object({
      steps: z.number().int().min(1).default(1),
      views: z.number().int().min(2).max(1024).default(64),
      lr: z.number().positive().default(5e-3),
      optimizer: z.object({ beta1: z.number().default(0.9) }).default({ beta1: 0.9 }),
    })
    .superRefine(() => undefined),
  create: () => ({ dispose: () => undefined }),
});
const noOptions = definePlugin({
  name: 'plain',
  kind: 'method',
  version: '1.0.0',
  description: 'Takes no options.',
  config: z.object({}),
  create: () => ({ dispose: () => undefined }),
});
const registry = new Registry().register(tptLike).register(noOptions);

describe('strict configs: unknown keys name the key and the closest known one', () => {
  const cases: [unknown, string][] = [
    [{ stepz: 4 }, 'unknown option "stepz" for tpt; did you mean "steps"?'],
    [{ view: 8 }, 'unknown option "view" for tpt; did you mean "views"?'],
    [{ LR: 1e-3 }, 'unknown option "LR" for tpt; did you mean "lr"?'],
    [{ optimizer: { beta: 0.5 } }, 'unknown option "optimizer.beta" for tpt; did you mean "beta1"?'],
    [
      { steps: 2, colour: 'red' },
      'unknown option "colour" for tpt (known options: steps, views, lr, optimizer)',
    ],
  ];
  it.each(cases)('%j', (config, message) => {
    const error = (() => {
      try {
        registry.parseConfig('tpt', config);
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected parseConfig to throw');
    })();
    expect(error).toBeInstanceOf(UnknownConfigKeyError);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).toContain(message);
  });

  it('says a plugin without options takes none', () => {
    expect(() => registry.parseConfig('plain', { steps: 1 })).toThrow(
      'unknown option "steps" for plain (known options: none: this plugin takes no options)',
    );
  });

  it('reports every unknown key at once', () => {
    expect(() => registry.parseConfig('tpt', { stepz: 1, veiws: 2 })).toThrow(
      /"stepz".*"steps"[\s\S]*"veiws".*"views"/,
    );
  });

  it('create() refuses the typo before creating anything', async () => {
    await expect(registry.create('tpt', { stepz: 4 })).rejects.toThrow('did you mean "steps"?');
  });

  it('still accepts known keys, nested known keys, an empty object and no config', () => {
    expect(registry.parseConfig('tpt', { steps: 3, optimizer: { beta1: 0.5 } })).toMatchObject({
      steps: 3,
      optimizer: { beta1: 0.5 },
    });
    expect(registry.parseConfig('tpt', {})).toMatchObject({ steps: 1, views: 64 });
    expect(registry.parseConfig('tpt', undefined)).toMatchObject({ steps: 1 });
  });
});

describe('strict configs: a config that is not a JSON object is refused', () => {
  const cases: [unknown, string][] = [
    [[1, 2], 'got an array of length 2'],
    [null, 'got null'],
    ['{"steps":4}', 'got "{"steps":4}" (string)'],
    [4, 'got 4 (number)'],
    [true, 'got true (boolean)'],
  ];
  it.each(cases)('%j', (config, got) => {
    expect(() => registry.parseConfig('tpt', config)).toThrow(
      `invalid config for plugin "tpt": (root): expected a JSON object of options, e.g. {"seed": 1} (or {} for the defaults), ${got}`,
    );
  });
  it.each(cases)('create(%j) is refused the same way, before the plugin is created', async (config, got) => {
    await expect(registry.create('tpt', config)).rejects.toThrow(
      `invalid config for plugin "tpt": (root): expected a JSON object of options, e.g. {"seed": 1} (or {} for the defaults), ${got}`,
    );
  });
});

describe('strict configs: absurd sizes are refused with the allowed range', () => {
  it.each([
    [{ views: 1e9 }, 'views: expected <= 1024, got 1000000000 (number)'],
    [{ views: 1 }, 'views: expected >= 2, got 1 (number)'],
    [{ steps: 0.5 }, 'steps: expected an integer, got 0.5 (number)'],
  ])('%j', (config, message) => {
    expect(() => registry.parseConfig('tpt', config)).toThrow(message);
  });
});
