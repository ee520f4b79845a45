// `pnpm start`: the README's main job — the embedded benchmark. Zero-shot, the template ensemble, TPT, STS,
// STS_Ensemble and DiffTPT on mini-CLIP over corrupted MNIST / Fashion-MNIST test images from the committed
// pinned list, 3 seeds, through the harness (crash-safe: run it again with --resume to continue).
//   pnpm start            the short suite (60 samples; a few minutes on 2 cores)
//   pnpm start --full     the full suite (600 samples)
// Any other flags go to `attune bench` (e.g. --limit 10, --workers 1, --resume).
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const args = process.argv.slice(2);
const full = args.includes('--full');
const passThrough = args.filter((a) => a !== '--full');
const suite = full ? 'mini-clip-corrupt-full' : 'mini-clip-corrupt-short';
const methods = ['zeroshot', 'zeroshot-ensemble', 'tpt', 'sts', 'sts-ensemble', 'difftpt'];
const has = (flag) => passThrough.some((a) => a === flag || a.startsWith(`${flag}=`));

const command = [
  'apps/cli/dist/bin.js',
  'bench',
  suite,
  ...(has('--methods') || has('--resume') ? [] : ['--methods', methods.join(',')]),
  ...(has('--seeds') || has('--resume') ? [] : ['--seeds', '0,1,2']),
  ...(has('--workers') ? [] : ['--workers', String(Math.max(1, Math.min(2, availableParallelism())))]),
  ...(has('--out') ? [] : ['--out', `bench-results/${suite}`]),
  ...passThrough,
];
console.error(`attune ${command.slice(1).join(' ')}`);
const result = spawnSync(process.execPath, command, { stdio: 'inherit' });
process.exit(result.status ?? 1);
