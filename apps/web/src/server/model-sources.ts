// Which models a request may load: zoo ids ("zoo:mini-clip"), shaped ids, or folders under the roots the
// server was started with (--model-root). A path outside every root, or one that climbs out through ".." or
// a symlink, is refused before the method is created.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** Config keys that name a model or a folder: model, reward, diffusionModel, variationsDir, dataPath, ... */
const SOURCE_KEY = /(model|reward|dir|path|folder|root)$/i;
const NAMED_SOURCE = /^(zoo|shaped):[a-z0-9][a-z0-9._-]*$/;

export class ModelSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSourceError';
  }
}

export function isSourceKey(key: string): boolean {
  return SOURCE_KEY.test(key);
}

/** Throws ModelSourceError for the first source field of `config` that is neither a named model nor under a root. */
export function checkModelSources(config: Record<string, unknown>, roots: readonly string[]): void {
  for (const [key, value] of Object.entries(config)) {
    if (!isSourceKey(key) || typeof value !== 'string' || value === '') continue;
    if (NAMED_SOURCE.test(value)) continue;
    if (value.includes(':') && !isAbsolute(value)) {
      throw new ModelSourceError(
        `${key}: "${value}" is not a known source; use a zoo id such as "zoo:mini-clip"`,
      );
    }
    checkUnderRoots(key, value, roots);
  }
}

function checkUnderRoots(key: string, value: string, roots: readonly string[]): void {
  if (roots.length === 0) {
    throw new ModelSourceError(
      `${key}: "${value}" is a path, and this server allows no model folders; use a zoo id such as "zoo:mini-clip", or start it with --model-root <dir>`,
    );
  }
  if (insideRoots(value, roots) === undefined) {
    throw new ModelSourceError(
      `${key}: "${value}" is outside the model roots (${roots.join(', ')}); give a folder under one of them, or a zoo id`,
    );
  }
}

const real = (path: string) => (existsSync(path) ? realpathSync(path) : resolve(path));

/**
 * `value` (relative to a root, or absolute) resolved through symlinks, when it lies strictly inside one of
 * `roots`; undefined when it escapes every root ("..", an absolute path elsewhere, a symlink out).
 */
export function insideRoots(value: string, roots: readonly string[]): string | undefined {
  for (const root of roots) {
    const base = real(root);
    const target = real(resolve(base, value));
    const inside = relative(base, target);
    if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) return target;
  }
  return undefined;
}
