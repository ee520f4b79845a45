// `pnpm zoo:shaped [names...]`: write CLIP ViT-B/32- and ViT-B/16-shaped towers (random weights, real
// sizes) into ~/.cache/attune/shaped (or $ATTUNE_CACHE_DIR/shaped), skipping exports that exist.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runRecipe } from './run-recipe.mjs';

const cache = join(process.env.ATTUNE_CACHE_DIR ?? join(homedir(), '.cache', 'attune'), 'shaped');
runRecipe('shaped.py', ['--out', cache, ...process.argv.slice(2)]);
