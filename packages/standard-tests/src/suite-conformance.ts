import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { CAPABILITY, type Suite } from '@attune/contracts';
import { InvalidConfigError, type Plugin, Registry } from '@attune/registry';
import { describe, expect, it } from 'vitest';
import { type BadConfigCase, derivedBadConfigs } from './bad-configs.js';
import { checkBadConfigRejected } from './checks.js';

export interface SuiteConformanceOptions {
  readonly plugin: Plugin;
  /** A config the suite creates with (e.g. a folder to read); default {}. */
  readonly config?: Record<string, unknown>;
  /** A registry holding the suite; default: the suite alone. */
  readonly registry?: () => Registry | Promise<Registry>;
  /** Bad configs beyond the wrong-typed ones derived from the schema, each with the path its error names. */
  readonly badConfigs?: readonly BadConfigCase[];
  /** Fewest samples the config must list (default 1). */
  readonly minSamples?: number;
  readonly timeoutMs?: number;
}

interface Listing {
  readonly sampleList: string;
  readonly listSha256: string;
  readonly keys: string[];
  readonly families: string[];
}

async function listSamples(options: SuiteConformanceOptions): Promise<Listing> {
  const registry = options.registry ? await options.registry() : new Registry().register(options.plugin);
  const suite = await registry.create<Suite>(options.plugin.name, options.config ?? {});
  try {
    const entries = await suite.entries();
    return {
      sampleList: suite.sampleList,
      listSha256: existsSync(suite.sampleList)
        ? createHash('sha256').update(readFileSync(suite.sampleList)).digest('hex')
        : '',
      keys: entries.map((e) => suite.sampleKey(e)),
      families: entries.map((e) => suite.family(e)),
    };
  } finally {
    await suite.dispose();
  }
}

/**
 * The conformance suite every benchmark-suite plugin runs: it is a suite plugin providing
 * 'benchmark-suite'; its config survives JSON; it creates and lists a pinned sample file; keys are unique,
 * non-empty and the same (same order, same families, same list bytes) from two fresh instances, which is
 * what resume and worker processes rely on; bad configs are refused with an error naming the field.
 */
export function describeSuiteConformance(options: SuiteConformanceOptions): void {
  const { plugin } = options;
  const timeout = options.timeoutMs ?? 60_000;
  const target = {
    plugin,
    ...(options.registry ? { registry: options.registry } : {}),
    exercise: () => undefined,
  };

  describe(`${plugin.name}: suite conformance`, () => {
    it("is a plugin of kind 'suite' that provides benchmark-suite", () => {
      expect(plugin.kind).toBe('suite');
      expect(plugin.provides).toContain(CAPABILITY.benchmarkSuite);
    });

    it('parses its test config, and the parsed config survives a JSON round-trip', () => {
      const parsed = plugin.config.parse(options.config ?? {});
      expect(plugin.config.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    });

    it(
      'lists its samples from a pinned list file with unique keys and a family each',
      async () => {
        const listing = await listSamples(options);
        expect(existsSync(listing.sampleList), `sample list ${listing.sampleList} exists`).toBe(true);
        expect(listing.keys.length).toBeGreaterThanOrEqual(options.minSamples ?? 1);
        expect(new Set(listing.keys).size, 'sample keys are unique').toBe(listing.keys.length);
        for (const key of listing.keys) expect(key).toMatch(/\S/);
        for (const family of listing.families) expect(family).toMatch(/\S/);
      },
      timeout,
    );

    it(
      'lists the same samples in the same order from two fresh instances (stable ids)',
      async () => {
        const a = await listSamples(options);
        const b = await listSamples(options);
        expect(isDeepStrictEqual(a, b), 'two fresh instances agree on list, keys and families').toBe(true);
      },
      timeout,
    );

    for (const badConfig of [...derivedBadConfigs(plugin), ...(options.badConfigs ?? [])]) {
      it(`rejects the bad config ${badConfig.label} with an error naming "${badConfig.path}"`, async () => {
        await checkBadConfigRejected(target, {
          ...badConfig,
          config: { ...options.config, ...badConfig.config },
        });
      });
    }

    it('refuses an unknown option with InvalidConfigError', async () => {
      const registry = options.registry ? await options.registry() : new Registry().register(plugin);
      await expect(
        registry.create(plugin.name, { ...options.config, notAnOption__: 1 }),
      ).rejects.toBeInstanceOf(InvalidConfigError);
    });
  });
}
