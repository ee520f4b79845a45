import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so equal configs serialise identically whatever the order
 * their keys were written in. Non-JSON values (functions, undefined, NaN) are rejected: a config that cannot
 * be stored cannot be reproduced.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, '(root)'));
}

function sortKeys(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: expected a finite number, got ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => sortKeys(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v, path === '(root)' ? key : `${path}.${key}`);
    }
    return out;
  }
  throw new TypeError(`${path}: expected a JSON value, got ${typeof value}`);
}

/** sha256 (hex) of the canonical JSON of a parsed config: the identity of "this method with these settings". */
export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}
