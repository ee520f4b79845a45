import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { InvalidBenchOptionError } from './errors.js';

/** Kernel pseudo-filesystems: nothing a run writes belongs there (mkdir -p under /proc never finishes). */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev'];

/** The deepest part of `path` that exists (the path itself when it exists). */
function deepestExisting(path: string): string {
  let current = path;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
  return current;
}

function underForbiddenRoot(path: string): string | undefined {
  return FORBIDDEN_ROOTS.find((root) => path === root || path.startsWith(`${root}${sep}`));
}

/**
 * Checks, before any work, that `path` can become what a command writes: a directory (`--out`) or a file
 * (`--db`). Refused: a path under /proc, /sys or /dev; a directory given where a file goes and the reverse;
 * a path whose nearest existing ancestor is a file or is not writable. Returns the absolute path.
 */
export function checkOutputPath(
  flag: string,
  path: string,
  kind: 'directory' | 'file',
  /** A file name to suggest when a directory is given for a file. */
  exampleName = 'results.sqlite',
): string {
  if (path.trim() === '') throw new InvalidBenchOptionError(`${flag} must be a path, got an empty string`);
  const full = resolve(path);
  const existing = deepestExisting(full);
  const real = realpathSync(existing);
  const forbidden = underForbiddenRoot(full) ?? underForbiddenRoot(real);
  if (forbidden) {
    throw new InvalidBenchOptionError(
      `${flag} ${path} is under ${forbidden}, a kernel filesystem; expected a ${kind} on a normal disk, e.g. ./${kind === 'file' ? exampleName : 'results'}`,
    );
  }
  const stat = statSync(existing);
  if (existing === full) {
    if (kind === 'directory' && !stat.isDirectory()) {
      throw new InvalidBenchOptionError(`${flag} ${path} is a file; expected a directory (or a new path)`);
    }
    if (kind === 'file' && stat.isDirectory()) {
      throw new InvalidBenchOptionError(
        `${flag} ${path} is a directory; expected a file path such as ${resolve(full, exampleName)}`,
      );
    }
  } else if (!stat.isDirectory()) {
    throw new InvalidBenchOptionError(
      `${flag} ${path}: ${existing} is a file, so it cannot hold a ${kind}; expected a path under a directory`,
    );
  }
  // Here `existing` is the file itself (kind 'file') or the directory the output goes in or under.
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new InvalidBenchOptionError(
      `${flag} ${path}: ${existing} is not writable by this user; expected a writable location`,
    );
  }
  return full;
}
