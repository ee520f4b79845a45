// `pnpm zoo:train <id> [recipe options]`: retrain a zoo model with its card's seed and print its metrics
// next to the committed card's. Output goes to .retrain/<id> unless --out is given.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { englishCorpusArgs, mnistDir, PACKAGE_DIR, runRecipe } from './run-recipe.mjs';

// The data each recipe reads, found in node_modules (devDependencies of @attune/zoo).
const DATA_ARGS = {
  'mini-clip': () => ['--mnist-dir', mnistDir()],
  'mini-clip-b': () => ['--mnist-dir', mnistDir()],
  'mini-diffusion': () => ['--mnist-dir', mnistDir()],
  'mini-lm': englishCorpusArgs,
  'mini-lm-t': englishCorpusArgs,
  'mini-rm': () => [],
  'mini-rm-b': () => [],
};

const [id, ...rest] = process.argv.slice(2);
const known = readdirSync(join(PACKAGE_DIR, 'recipes'))
  // *-card.py evaluate and export a trained checkpoint, *-probe.py probe one; they are not training recipes.
  .filter(
    (f) => f.endsWith('.py') && f !== 'shaped.py' && !f.endsWith('-card.py') && !f.endsWith('-probe.py'),
  )
  .map((f) => f.slice(0, -3))
  .sort();
const name = id?.replace(/^zoo:/, '');
if (!name || !existsSync(join(PACKAGE_DIR, 'recipes', `${name}.py`))) {
  console.error(
    `usage: pnpm zoo:train <id> [options]; ${id ? `no recipe for "${id}"; ` : ''}known: ${known.join(', ')}`,
  );
  process.exit(2);
}
runRecipe(`${name}.py`, [...(DATA_ARGS[name]?.() ?? []), ...rest]);
