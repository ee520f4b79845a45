import { Registry, z } from '@attune/registry';
import { describe, expect, it } from 'vitest';
import { CAPABILITY, defineSuite, SUITE_KIND, type Suite } from '../src/index.js';

const digits = defineSuite({
  name: 'two-digits',
  version: '0.1.0',
  description: 'Two labelled digits; exercises defineSuite.',
  config: z.object({ offset: z.number().int().default(0) }),
  create: (config) => ({
    sampleList: 'lists/two.csv',
    entries: () => [1, 2],
    sampleKey: (n: number) => `n-${n}`,
    family: () => 'clean',
    evaluate: async (_method: unknown, n: number) => ({ prediction: n + config.offset, label: n }),
  }),
});

describe('defineSuite', () => {
  it('declares a plugin of kind "suite" that provides benchmark-suite and fills in dispose', async () => {
    expect(digits.kind).toBe(SUITE_KIND);
    expect(digits.provides).toEqual([CAPABILITY.benchmarkSuite]);
    const registry = new Registry().register(digits);
    const suite = await registry.create<Suite<number>>('two-digits', { offset: 1 });
    expect(typeof suite.dispose).toBe('function');
    expect(await suite.evaluate({ dispose() {} }, 2, 0)).toEqual({ prediction: 3, label: 2 });
    expect(registry.resolve(CAPABILITY.benchmarkSuite).map((p) => p.name)).toEqual(['two-digits']);
  });
});
