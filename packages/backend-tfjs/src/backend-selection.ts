import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { tf } from '@attune/tensor';
import { registerWasmKernelGaps } from './wasm-kernel-gaps.js';

/** The tfjs backends this package can run on, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendChoice {
  /** Which of the options was chosen. */
  readonly name: BackendName;
  /** The tfjs backend name now active (`tf.getBackend()`): 'tensorflow' for both tfjs-node flavours. */
  readonly tfBackend: string;
  /** Why: what was tried before it and why that failed, or that it was forced. */
  readonly reason: string;
  /** Threads the backend computes with, where it says (tfjs-node uses TensorFlow's own pools: undefined). */
  readonly threads: number | undefined;
}

type Attempt = { ok: true; tfBackend: string; threads: number | undefined } | { ok: false; reason: string };

const PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

const shortName = (name: BackendName) => PACKAGES[name].replace('@tensorflow/', '');

/**
 * Activates a tfjs backend. 'auto' tries tfjs-node-gpu, then tfjs-node, then wasm, then the pure-JS cpu
 * backend, and reports why each earlier one was skipped. A named backend is used or the call fails saying
 * why. The tfjs-node packages are optional peer dependencies, loaded only if installed.
 */
export async function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendChoice> {
  if (preference !== 'auto' && !BACKEND_NAMES.includes(preference)) {
    throw new Error(`unknown backend '${preference}'; expected auto, ${BACKEND_NAMES.join(', ')}`);
  }
  const candidates = preference === 'auto' ? BACKEND_NAMES : [preference];
  const skipped: string[] = [];
  for (const name of candidates) {
    const attempt = await tryBackend(name);
    if (attempt.ok) {
      const reason =
        preference !== 'auto'
          ? `forced by configuration ('${name}')`
          : skipped.length > 0
            ? skipped.join('; ')
            : `${shortName(name)} is installed and loaded`;
      return { name, tfBackend: attempt.tfBackend, reason, threads: attempt.threads };
    }
    skipped.push(attempt.reason);
  }
  throw new Error(`no tfjs backend could be activated: ${skipped.join('; ')}`);
}

async function tryBackend(name: BackendName): Promise<Attempt> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryTensorflow(name);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return activate('cpu', 'tfjs-backend-cpu', 1);
  }
}

async function tryTensorflow(name: 'tensorflow-gpu' | 'tensorflow'): Promise<Attempt> {
  const pkg = PACKAGES[name];
  const loaded = await importOptional(pkg);
  if (loaded !== true) return { ok: false, reason: loaded };
  if (!tf.findBackendFactory('tensorflow')) {
    return {
      ok: false,
      reason: `${shortName(name)} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs-core (versions differ?)`,
    };
  }
  return activate('tensorflow', shortName(name), undefined);
}

async function tryWasm(): Promise<Attempt> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  try {
    // In Node the .wasm binaries are read from the package's dist folder, as a file path prefix.
    const distDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(distDir + sep);
  } catch (error) {
    // Set already (someone initialised wasm before us): the backend keeps its paths.
    if (!/already initialized/i.test((error as Error).message)) throw error;
  }
  const attempt = await activate('wasm', 'tfjs-backend-wasm', undefined);
  if (!attempt.ok) return attempt;
  registerWasmKernelGaps();
  return { ...attempt, threads: wasm.getThreadsCount() };
}

async function activate(tfBackend: string, label: string, threads: number | undefined): Promise<Attempt> {
  try {
    if (await tf.setBackend(tfBackend)) {
      await tf.ready();
      return { ok: true, tfBackend, threads };
    }
    return { ok: false, reason: `${label}: the '${tfBackend}' backend failed to initialise` };
  } catch (error) {
    return { ok: false, reason: `${label}: ${(error as Error).message}` };
  }
}

/** true when the package loaded; otherwise why not ("<pkg> not installed" or the load error). */
async function importOptional(pkg: string): Promise<true | string> {
  const label = pkg.replace('@tensorflow/', '');
  let packageJson: string;
  try {
    // Resolving first tells "not installed" apart from "installed but failed to load" under any loader.
    packageJson = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  } catch {
    return `${label} not installed`;
  }
  const missing = missingNativeBinding(packageJson);
  if (missing)
    return `${label} is installed without its native library (${missing}; its install script did not run)`;
  try {
    // A variable specifier: these optional peers are not installed at build time.
    const specifier: string = pkg;
    await import(specifier);
    return true;
  } catch (error) {
    return `${label} failed to load: ${(error as Error).message.split('\n')[0]?.trim()}`;
  }
}

/**
 * tfjs-node's JS installs fine where its install script (which downloads libtensorflow) cannot run; the
 * binding is then missing. Checked before importing, because the import would register hundreds of kernels
 * for a 'tensorflow' backend that can never start. Returns the missing file's name, or undefined.
 */
function missingNativeBinding(packageJson: string): string | undefined {
  const binary = (
    JSON.parse(readFileSync(packageJson, 'utf8')) as {
      binary?: { module_name?: string; module_path?: string };
    }
  ).binary;
  if (!binary?.module_name || !binary.module_path) return undefined;
  const file = `${binary.module_name}.node`;
  // module_path is like "./lib/napi-v{napi_build_version}": look in every napi-v* folder it may name.
  const pattern = join(dirname(packageJson), binary.module_path);
  const parent = dirname(pattern);
  const prefix = pattern.slice(parent.length + 1).split('{')[0] ?? '';
  const found =
    existsSync(parent) &&
    readdirSync(parent).some((entry) => entry.startsWith(prefix) && existsSync(join(parent, entry, file)));
  return found ? undefined : file;
}
