import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Suite } from '@attune/contracts';
import type { Registry } from '@attune/registry';
import { configHash } from './canonical-json.js';
import { MalformedSuiteError } from './errors.js';
import { sha256File } from './file-hash.js';
import { createSuite, parseSuiteConfig } from './suite-lookup.js';

/** sha256 of sample keys in order: a run's record of exactly which samples it covers. */
export function sampleKeysHash(keys: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(keys)).digest('hex');
}

/** A suite instance with its samples read, limited and fingerprinted. */
export interface PreparedSuite {
  readonly name: string;
  readonly suite: Suite;
  /** The suite's config after validation (defaults filled in). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly configHash: string;
  readonly entries: readonly unknown[];
  readonly keys: readonly string[];
  readonly sampleList: string;
  readonly sampleListSha256: string;
  readonly sampleKeysSha256: string;
}

/** Builds a suite from the registry, reads its pinned list (first `limit` entries) and fingerprints it. */
export async function prepareSuite(
  registry: Registry,
  name: string,
  rawConfig: unknown,
  limit: number | null,
): Promise<PreparedSuite> {
  const config = parseSuiteConfig(registry, name, rawConfig);
  const suite = await createSuite(registry, name, config);
  try {
    const sampleList = resolve(suite.sampleList);
    const sampleListSha256 = sha256File(sampleList);
    const all = await suite.entries();
    if (!Array.isArray(all) || all.length === 0) {
      throw new MalformedSuiteError(
        name,
        `entries() gave no samples from ${sampleList}; a suite needs at least one`,
      );
    }
    const entries = limit === null ? all : all.slice(0, limit);
    const keys = entries.map((entry) => suite.sampleKey(entry));
    const seen = new Map<string, number>();
    keys.forEach((key, i) => {
      if (typeof key !== 'string' || key === '') {
        throw new MalformedSuiteError(
          name,
          `sampleKey() of entry ${i} is ${JSON.stringify(key)}; expected a non-empty string`,
        );
      }
      const first = seen.get(key);
      if (first !== undefined) {
        throw new MalformedSuiteError(
          name,
          `sample key "${key}" appears twice (entries ${first} and ${i}); keys must be unique`,
        );
      }
      seen.set(key, i);
    });
    return {
      name,
      suite,
      config,
      configHash: configHash(config),
      entries,
      keys,
      sampleList,
      sampleListSha256,
      sampleKeysSha256: sampleKeysHash(keys),
    };
  } catch (error) {
    await suite.dispose();
    throw error;
  }
}
