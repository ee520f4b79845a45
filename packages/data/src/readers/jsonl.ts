import { readFileSync } from 'node:fs';

/**
 * Parses JSON Lines: one JSON value per line, blank lines skipped. A line that does not parse, or that
 * `validate` rejects (by throwing), is reported with its 1-based line number.
 */
export function parseJsonl<T = unknown>(
  text: string,
  source = 'JSONL',
  validate: (value: unknown, lineNumber: number) => T = (value) => value as T,
): T[] {
  const records: T[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const lineNumber = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(
        `${source}:${lineNumber}: expected one JSON value per line (${(error as Error).message})`,
      );
    }
    try {
      records.push(validate(value, lineNumber));
    } catch (error) {
      throw new Error(`${source}:${lineNumber}: ${(error as Error).message}`);
    }
  });
  return records;
}

/** Reads a .jsonl file; see {@link parseJsonl}. */
export function readJsonl<T = unknown>(
  path: string,
  validate?: (value: unknown, lineNumber: number) => T,
): T[] {
  return parseJsonl(readFileSync(path, 'utf8'), path, validate);
}

/** Serialises records as JSON Lines (one compact JSON value per line, trailing newline). */
export function formatJsonl(records: readonly unknown[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join('');
}
