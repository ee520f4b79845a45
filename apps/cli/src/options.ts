import { closestName } from '@attune/registry';

/** Parses an integer flag value, naming the flag and the accepted range when it is wrong. */
export function parseIntegerOption(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new Error(`${flag} must be an integer >= ${min}, got "${value}"`);
  }
  return n;
}

/** Parses a comma-separated list whose items must come from `allowed`; names the bad item and the closest match. */
export function parseListOption<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new Error(`${flag} must list at least one of ${allowed.join(', ')}`);
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      const near = closestName(item, allowed);
      throw new Error(
        `${flag}: unknown "${item}"${near ? ` (did you mean "${near}"?)` : ''}; expected one of ${allowed.join(', ')}`,
      );
    }
  }
  return items as T[];
}
