/**
 * Reads typed fields out of config.json-like objects, looking each up under several dotted paths (zoo
 * names first, then Hugging Face's), and throws InvalidModelConfigError naming the field and what it
 * should be.
 */
import { InvalidModelConfigError } from './errors.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first defined value among dotted paths, e.g. 'text_config.max_position_embeddings'. */
export function pick(
  sources: readonly Json[],
  paths: readonly string[],
): { value: unknown; path: string } | undefined {
  for (const source of sources) {
    for (const path of paths) {
      let value: unknown = source;
      for (const part of path.split('.')) value = isObject(value) ? value[part] : undefined;
      if (value !== undefined && value !== null) return { value, path };
    }
  }
  return undefined;
}

export class FieldReader {
  constructor(
    private readonly file: string,
    private readonly sources: readonly Json[],
  ) {}

  number(paths: readonly string[], what: string, check: 'positive-int' | 'finite' | 'unit'): number;
  number(
    paths: readonly string[],
    what: string,
    check: 'positive-int' | 'finite' | 'unit',
    optional: true,
  ): number | undefined;
  number(
    paths: readonly string[],
    what: string,
    check: 'positive-int' | 'finite' | 'unit',
    optional = false,
  ) {
    const found = pick(this.sources, paths);
    if (!found) {
      if (optional) return undefined;
      throw new InvalidModelConfigError(this.file, `missing ${what}: expected one of ${paths.join(', ')}`);
    }
    const v = found.value;
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (check !== 'positive-int' || (Number.isInteger(v) && v > 0)) &&
      (check !== 'unit' || (v > 0 && v < 1));
    if (!ok) {
      const expected = {
        'positive-int': 'a positive integer',
        finite: 'a finite number',
        unit: 'a number in (0, 1)',
      };
      throw new InvalidModelConfigError(
        this.file,
        `${found.path} (${what}) must be ${expected[check]}, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  }

  numbers(paths: readonly string[], what: string, length: number | undefined, fallback?: readonly number[]) {
    const found = pick(this.sources, paths);
    if (!found) {
      if (fallback) return fallback;
      throw new InvalidModelConfigError(this.file, `missing ${what}: expected one of ${paths.join(', ')}`);
    }
    const v = found.value;
    if (
      !Array.isArray(v) ||
      !v.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
      (length !== undefined && v.length !== length)
    ) {
      const size = length === undefined ? '' : ` of length ${length}`;
      throw new InvalidModelConfigError(
        this.file,
        `${found.path} (${what}) must be an array of finite numbers${size}, got ${JSON.stringify(v).slice(0, 80)}`,
      );
    }
    return v as number[];
  }

  boolean(paths: readonly string[], what: string, fallback: boolean): boolean {
    const found = pick(this.sources, paths);
    if (!found) return fallback;
    if (typeof found.value !== 'boolean') {
      throw new InvalidModelConfigError(
        this.file,
        `${found.path} (${what}) must be true or false, got ${JSON.stringify(found.value)}`,
      );
    }
    return found.value;
  }

  string(paths: readonly string[], what: string, fallback?: string): string {
    const found = pick(this.sources, paths);
    if (!found) {
      if (fallback !== undefined) return fallback;
      throw new InvalidModelConfigError(this.file, `missing ${what}: expected one of ${paths.join(', ')}`);
    }
    if (typeof found.value !== 'string') {
      throw new InvalidModelConfigError(
        this.file,
        `${found.path} (${what}) must be a string, got ${JSON.stringify(found.value)}`,
      );
    }
    return found.value;
  }

  /**
   * A token id in [0, vocabSize); Hugging Face configs may give a list (several end tokens), so the
   * result is always a non-empty list.
   */
  tokenIds(
    paths: readonly string[],
    what: string,
    vocabSize: number,
    fallback?: readonly number[],
  ): number[] {
    const found = pick(this.sources, paths);
    if (!found) {
      if (fallback) return [...fallback];
      throw new InvalidModelConfigError(this.file, `missing ${what}: expected one of ${paths.join(', ')}`);
    }
    const values = Array.isArray(found.value) ? found.value : [found.value];
    const ok =
      values.length > 0 &&
      values.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < vocabSize);
    if (!ok) {
      throw new InvalidModelConfigError(
        this.file,
        `${found.path} (${what}) must be a token id, an integer in [0, ${vocabSize}) (the vocabulary size), got ${JSON.stringify(found.value)}`,
      );
    }
    return values as number[];
  }
}
