import { InvalidBenchOptionError } from './errors.js';

/** Largest seed accepted: seeds are stored as SQLite integers and handed to 32-bit seeded RNGs. */
export const MAX_SEED = 2 ** 31 - 1;

/**
 * Parses a seeds option such as "0,1,2" (comma-separated integers, spaces allowed). Ranges are written out
 * so a run's seed list is exactly what the command line shows.
 */
export function parseSeeds(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const bad = parts.filter((part) => !/^\d+$/.test(part));
  if (text.trim() === '' || bad.length > 0) {
    throw new InvalidBenchOptionError(
      `--seeds must be comma-separated non-negative integers like "0,1,2", got "${text}"` +
        (bad.length > 0 && text.trim() !== ''
          ? ` (not an integer: ${bad.map((b) => `"${b}"`).join(', ')})`
          : ''),
    );
  }
  return checkSeeds(parts.map(Number));
}

/** Checks a seed list: non-empty, integers in [0, 2^31-1], no repeats. Returns it unchanged. */
export function checkSeeds(seeds: readonly number[]): number[] {
  if (seeds.length === 0) {
    throw new InvalidBenchOptionError('seeds must list at least one seed, e.g. [0] or "0,1,2"');
  }
  for (const seed of seeds) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new InvalidBenchOptionError(`each seed must be an integer in [0, ${MAX_SEED}], got ${seed}`);
    }
  }
  const repeated = seeds.filter((seed, i) => seeds.indexOf(seed) !== i);
  if (repeated.length > 0) {
    throw new InvalidBenchOptionError(
      `seeds must not repeat (a repeated seed would count one run twice), got ${seeds.join(',')}`,
    );
  }
  return [...seeds];
}
