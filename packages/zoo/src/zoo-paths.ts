import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/zoo/models — the committed zoo, found relative to this module (src/ or dist/). */
export const ZOO_MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

/** The prefix that marks a zoo id, as in "zoo:mini-clip". */
export const ZOO_PREFIX = 'zoo:';

/**
 * Where `pnpm zoo:shaped` writes architecture-shaped exports (random weights, real sizes); outside git.
 * ATTUNE_CACHE_DIR overrides the default ~/.cache/attune.
 */
export function shapedCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.ATTUNE_CACHE_DIR ?? join(homedir(), '.cache', 'attune'), 'shaped');
}
