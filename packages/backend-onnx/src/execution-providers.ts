import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { listSupportedBackends } from 'onnxruntime-node';
import type { ExecutionProviderName } from './options.js';

export interface ProviderAvailability {
  readonly available: boolean;
  /** Why not, in one line (empty when available). */
  readonly reason: string;
}

const CUDA_LIBRARY =
  platform() === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';

let cudaProbe: ProviderAvailability | undefined;

/**
 * Whether the installed onnxruntime-node can use CUDA. The npm package lists 'cuda' as a supported backend
 * even when its provider library is absent (it is "not bundled": the package's install script downloads it),
 * and asking for it then fails inside onnxruntime with a noisy native log. So the library file is checked
 * first; a library that exists but cannot start (no driver, no GPU) is caught when the session is created.
 */
export function cudaAvailability(): ProviderAvailability {
  if (cudaProbe) return cudaProbe;
  const listed = listSupportedBackends().find((b) => b.name === 'cuda');
  if (!listed) {
    cudaProbe = { available: false, reason: 'this onnxruntime-node build has no CUDA execution provider' };
  } else if (listed.bundled) {
    cudaProbe = { available: true, reason: '' };
  } else {
    const bindingDir = join(
      dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')),
      'bin',
      'napi-v6',
      platform(),
      arch(),
    );
    cudaProbe = existsSync(join(bindingDir, CUDA_LIBRARY))
      ? { available: true, reason: '' }
      : {
          available: false,
          reason:
            `the CUDA provider library ${CUDA_LIBRARY} is not installed next to onnxruntime-node's binding ` +
            "(onnxruntime-node's install script downloads it: ONNXRUNTIME_NODE_INSTALL=cuda12)",
        };
  }
  return cudaProbe;
}

export interface ProviderChoice {
  readonly providers: readonly ExecutionProviderName[];
  /** One-line notes about requested providers that were dropped. */
  readonly notes: readonly string[];
}

/** Drops providers this machine cannot use, keeping the order of preference; cpu is the last resort. */
export function chooseProviders(requested: readonly ExecutionProviderName[]): ProviderChoice {
  const providers: ExecutionProviderName[] = [];
  const notes: string[] = [];
  for (const name of requested) {
    const { available, reason } = name === 'cuda' ? cudaAvailability() : { available: true, reason: '' };
    if (available) providers.push(name);
    else notes.push(`execution provider '${name}' is unavailable, using cpu: ${reason}`);
  }
  if (providers.length === 0) providers.push('cpu');
  return { providers, notes };
}
