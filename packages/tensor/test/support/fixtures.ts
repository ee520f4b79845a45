// Loads the torch reference values committed under fixtures/ (made by scripts/make_fixtures.py).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function readFixture<T>(name: string): T {
  const path = fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Little-endian float32 values stored as base64. */
export function decodeFloat32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** null in a fixture stands for -Infinity (JSON has no infinities). */
export function withNegativeInfinity(values: readonly (number | null)[]): Float32Array {
  return Float32Array.from(values, (v) => (v === null ? Number.NEGATIVE_INFINITY : v));
}

/** max |a - b| / max(|b|, floor), the worst relative error with an absolute floor for tiny references. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  }
  return worst;
}

export function maxAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
