import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// Where plugins may come from: the project's own dependency tree, never whatever sits in a parent
// directory. From a start directory that is the nearest package root (the first directory upwards with a
// package.json) and, when that package is a member of a pnpm/npm/yarn workspace, the workspace root and
// its member packages. A node_modules above those is never read: a package planted in /tmp/node_modules
// must not run its code on `attune list` in /tmp/project.

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The first directory from `start` upwards that holds a package.json, or undefined. */
export function nearestPackageRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The `packages:` globs of a pnpm-workspace.yaml (a plain list; negations dropped). */
function pnpmWorkspaceGlobs(file: string): string[] {
  const globs: string[] = [];
  let inPackages = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^packages:\s*$/.test(line)) {
      inPackages = true;
      continue;
    }
    if (inPackages && /^\S/.test(line)) break;
    const item = inPackages ? /^\s+-\s+["']?([^"'#\s]+)["']?/.exec(line) : null;
    if (item?.[1] && !item[1].startsWith('!')) globs.push(item[1].replace(/\/+$/, ''));
  }
  return globs;
}

/** The workspace globs a directory declares (pnpm-workspace.yaml, or package.json "workspaces"), if any. */
function workspaceGlobs(dir: string): string[] | undefined {
  const pnpmFile = join(dir, 'pnpm-workspace.yaml');
  if (existsSync(pnpmFile)) return pnpmWorkspaceGlobs(pnpmFile);
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      workspaces?: unknown;
    };
    const ws = manifest.workspaces;
    const list = Array.isArray(ws) ? ws : (ws as { packages?: unknown } | undefined)?.packages;
    return Array.isArray(list) ? list.filter((g): g is string => typeof g === 'string') : undefined;
  } catch {
    return undefined;
  }
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('/')
    .map((part) =>
      part === '**'
        ? '.*'
        : part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Member package directories of a workspace: one-level globs ('packages/*') expanded, others literal. */
function workspaceMembers(root: string, globs: readonly string[]): string[] {
  const members: string[] = [];
  for (const glob of globs) {
    const parts = glob.split('/');
    const last = parts.at(-1)!;
    if (!last.includes('*')) {
      const dir = join(root, glob);
      if (existsSync(join(dir, 'package.json'))) members.push(dir);
      continue;
    }
    const base = join(root, ...parts.slice(0, -1));
    if (parts.slice(0, -1).some((p) => p.includes('*')) || !isDirectory(base)) continue;
    const pattern = globToRegExp(last);
    for (const entry of readdirSync(base)) {
      const dir = join(base, entry);
      if (pattern.test(entry) && existsSync(join(dir, 'package.json'))) members.push(dir);
    }
  }
  return members;
}

export interface ProjectRoots {
  /** Package roots whose node_modules are read: the nearest package and, in a workspace, its root. */
  readonly packageRoots: readonly string[];
  /** The workspace's member packages (each may declare plugins itself). */
  readonly workspacePackages: readonly string[];
}

/**
 * The project a start directory belongs to. Without any package.json above it, the start directory itself
 * counts as the package root (its own node_modules only).
 */
export function projectRoots(start: string): ProjectRoots {
  const own = nearestPackageRoot(start) ?? resolve(start);
  // A workspace root claims `own` only if one of its globs matches `own`'s path: a stray
  // pnpm-workspace.yaml in a parent directory does not adopt unrelated packages.
  for (let dir = own; ; ) {
    const globs = existsSync(join(dir, 'package.json')) ? workspaceGlobs(dir) : undefined;
    if (globs) {
      const rel = relative(dir, own).split(sep).join('/');
      if (dir === own || globs.some((g) => globToRegExp(g).test(rel))) {
        const members = workspaceMembers(dir, globs);
        return { packageRoots: dir === own ? [own] : [own, dir], workspacePackages: members };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { packageRoots: [own], workspacePackages: [] };
}
