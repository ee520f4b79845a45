import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegistrySource } from '../src/index.js';

/** Worker processes run the TypeScript sources (harness and fixtures) through tsx. */
export const tsxExecArgv = ['--import', createRequire(import.meta.url).resolve('tsx')];

export const fixtureRegistryModule = fileURLToPath(new URL('./fixtures/registry.ts', import.meta.url));
export const fixtureRegistrySource: RegistrySource = { module: fixtureRegistryModule };
/** The harness driven like `attune bench` / `attune worker` in a child process. */
export const benchProcessFixture = fileURLToPath(new URL('./fixtures/bench-process.ts', import.meta.url));

const made: string[] = [];
export function tempDir(prefix = 'attune-bench-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** True while a process with this pid runs (a zombie waiting to be reaped counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of this process's living children (Linux /proc); empty elsewhere. */
export function childPids(): number[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[1]) === process.pid && fields[0] !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A record's comparable content: what the method and suite produced, without timings or pids. */
export function outcomeOf(r: {
  method: string;
  seed: number;
  sampleKey: string;
  family: string;
  prediction: unknown;
  label: unknown;
  correct: boolean;
}) {
  return `${r.method}|${r.seed}|${r.sampleKey}|${r.family}|${String(r.prediction)}|${String(r.label)}|${r.correct}`;
}
