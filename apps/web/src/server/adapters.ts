// Prompt-tuning adapters the app may load or write: folders under the configured adapter roots
// (--adapter-root), each holding a PEFT-style adapter_config.json. A request names one by its path relative
// to a root; anything that leaves every root (.., an absolute path elsewhere, a symlink out) is refused.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { insideRoots } from './model-sources.js';
import { RequestError } from './run-request.js';

/** The file every adapter folder has (PEFT's name; DePT's saveAdapter writes it). */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';

export interface AdapterListing {
  /** What a request passes as `adapter`: the folder relative to its root. */
  readonly path: string;
  readonly root: string;
  readonly task: string | null;
  readonly labels: string[];
  readonly variant: string | null;
  readonly model: string | null;
  readonly steps: number | null;
}

interface AdapterConfigJson {
  peft_type?: string;
  base_model_name_or_path?: string;
  attune?: { task?: string; labels?: string[]; steps?: number; variant?: string };
}

function describe(dir: string, root: string): AdapterListing | undefined {
  let config: AdapterConfigJson;
  try {
    config = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG_FILE), 'utf8')) as AdapterConfigJson;
  } catch {
    return undefined;
  }
  return {
    path: relative(root, dir),
    root,
    task: config.attune?.task ?? null,
    labels: Array.isArray(config.attune?.labels) ? config.attune.labels.map(String) : [],
    variant: config.attune?.variant ?? config.peft_type ?? null,
    model: config.base_model_name_or_path ?? null,
    steps: typeof config.attune?.steps === 'number' ? config.attune.steps : null,
  };
}

/** Adapter folders up to two levels under each root (root/name, root/group/name), by path. */
export function listAdapters(roots: readonly string[]): AdapterListing[] {
  const out: AdapterListing[] = [];
  const walk = (dir: string, root: string, depth: number) => {
    if (existsSync(join(dir, ADAPTER_CONFIG_FILE))) {
      const listing = describe(dir, root);
      if (listing) out.push(listing);
      return;
    }
    if (depth === 0) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      if (name.startsWith('.')) continue;
      const child = join(dir, name);
      if (statSync(child, { throwIfNoEntry: false })?.isDirectory()) walk(child, root, depth - 1);
    }
  };
  for (const root of roots) if (existsSync(root)) walk(root, root, 2);
  return out;
}

/** The real folder of the adapter a request names; 400 when it is outside the roots, 404 when it is not one. */
export function resolveAdapter(value: string, roots: readonly string[]): string {
  if (roots.length === 0) {
    throw new RequestError(
      `adapter: "${value}" cannot be loaded: this server has no adapter folders; start it with --adapter-root <dir>`,
    );
  }
  const dir = insideRoots(value, roots);
  if (dir === undefined) {
    throw new RequestError(
      `adapter: "${value}" is outside the adapter roots; give a folder under one of them (GET /api/adapters lists them)`,
    );
  }
  if (!existsSync(join(dir, ADAPTER_CONFIG_FILE))) {
    throw new RequestError(
      `adapter: "${value}" is not an adapter folder (no ${ADAPTER_CONFIG_FILE}); GET /api/adapters lists them`,
      404,
    );
  }
  return dir;
}
