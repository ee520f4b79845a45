// `pnpm start`: the README's main job — the embedded benchmark. Zero-shot, the template ensemble, TPT, STS,
// STS_Ensemble and DiffTPT on the zoo's mini-CLIP-B (parametrised as CLIP is) over natural-style shifts of
// MNIST / Fashion-MNIST test images (sketch, inverted, stylised, stroke widths, framings; 20-way) from the
// committed pinned list, 3 seeds, through the harness (crash-safe: run it again with --resume to continue).
// The summary compares every method with zero-shot: predictions changed, fixed, broken, and a paired
// bootstrap interval of the accuracy difference.
//   pnpm start                      the short shift suite (24 samples; about 3 minutes on 2 idle cores)
//   pnpm start --full               the full shift suite (192 samples)
//   pnpm start --corruptions        the ImageNet-C-style corruption suites instead (10-way per dataset)
//   pnpm start --model zoo:mini-clip   any CLIP model (zoo id or folder) for every method
// Any other flags go to `attune bench` (e.g. --limit 10, --workers 1, --resume, --config tpt='{...}').
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const args = process.argv.slice(2);
const take = (flag) => {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(`${flag} needs a value, e.g. ${flag} zoo:mini-clip`);
    process.exit(2);
  }
  args.splice(i, 2);
  return value;
};
const model = take('--model') ?? 'zoo:mini-clip-b';
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const full = flag('--full');
const corruptions = flag('--corruptions');
const suite = corruptions
  ? full
    ? 'mini-clip-corrupt-full'
    : 'mini-clip-corrupt-short'
  : full
    ? 'shift-full'
    : 'shift-short';
const methods = ['zeroshot', 'zeroshot-ensemble', 'tpt', 'sts', 'sts-ensemble', 'difftpt'];
const has = (name) => args.some((a) => a === name || a.startsWith(`${name}=`));
// Every method gets the model unless the caller configures that method itself.
const configured = new Set(
  args.flatMap((a, i) => (args[i - 1] === '--config' ? [a.slice(0, a.indexOf('='))] : [])),
);
const resuming = has('--resume');
const methodsIndex = args.indexOf('--methods');
const chosen = methodsIndex >= 0 ? (args[methodsIndex + 1] ?? '').split(',').filter(Boolean) : methods;
const modelConfigs = resuming
  ? []
  : chosen
      .filter((m) => !configured.has(m))
      .flatMap((m) => ['--config', `${m}=${JSON.stringify({ model })}`]);

const command = [
  'apps/cli/dist/bin.js',
  'bench',
  suite,
  ...(has('--methods') || resuming ? [] : ['--methods', methods.join(',')]),
  ...modelConfigs,
  ...(has('--seeds') || resuming ? [] : ['--seeds', '0,1,2']),
  ...(has('--workers') ? [] : ['--workers', String(Math.max(1, Math.min(2, availableParallelism())))]),
  ...(has('--out') ? [] : ['--out', `bench-results/${suite}`]),
  ...args,
];
console.error(`attune ${command.slice(1).join(' ')}`);
const result = spawnSync(process.execPath, command, { stdio: 'inherit' });
process.exit(result.status ?? 1);
