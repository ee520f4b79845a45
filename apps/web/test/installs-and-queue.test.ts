// Two promises of issue 19 checked directly: selective installs are visible (a method package that is
// uninstalled is gone from the app after a restart), and work is queued, never run concurrently.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { discoverRegistry } from '@attune/registry';
import { afterAll, describe, expect, it } from 'vitest';
import { startWebServer } from '../src/server/index.js';
import { JobQueue } from '../src/server/jobs.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** An app folder outside the workspace whose node_modules holds just these plugin packages. */
function project(packages: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'attune-web-install-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  mkdirSync(join(dir, 'node_modules', '@attune'), { recursive: true });
  for (const [name, path] of Object.entries(packages))
    symlinkSync(join(REPO, path), join(dir, 'node_modules', name), 'dir');
  return dir;
}

async function pluginNamesServed(dir: string): Promise<{ names: string[]; dept: number }> {
  const { registry } = await discoverRegistry({ from: [dir], strict: false });
  const server = await startWebServer({ registry, port: 0 });
  try {
    const { plugins } = (await (await fetch(`${server.url}/api/plugins`)).json()) as {
      plugins: { name: string }[];
    };
    return {
      names: plugins.map((p) => p.name),
      dept: (await fetch(`${server.url}/api/plugins/dept`)).status,
    };
  } finally {
    await server.close();
  }
}

describe('selective installs', () => {
  it('shows what is installed; an uninstalled method package is gone after a restart', async () => {
    const dir = project({
      '@attune/method-dept': 'packages/methods/dept',
      '@attune/method-zeroshot': 'packages/methods/zeroshot',
    });
    const before = await pluginNamesServed(dir);
    expect(before.names).toEqual(expect.arrayContaining(['dept', 'prompt-tuning', 'zeroshot']));
    expect(before.names).not.toContain('sts');
    expect(before.dept).toBe(200);
    rmSync(join(dir, 'node_modules', '@attune', 'method-dept')); // pnpm remove @attune/method-dept
    const after = await pluginNamesServed(dir);
    expect(after.names).not.toContain('dept');
    expect(after.names).not.toContain('prompt-tuning');
    expect(after.names).toContain('zeroshot');
    expect(after.dept).toBe(404);
  });
});

describe('the job queue', () => {
  it('runs one job at a time, first in first out, whatever each job awaits', async () => {
    const queue = new JobQueue();
    let active = 0;
    let most = 0;
    const order: string[] = [];
    const work = (name: string, ms: number) => async () => {
      active++;
      most = Math.max(most, active);
      order.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`end ${name}`);
      active--;
      return name;
    };
    const jobs = [
      queue.submit('a', work('a', 30)),
      queue.submit('b', work('b', 5)),
      queue.submit('c', work('c', 1)),
    ];
    expect(jobs.map((j) => j.events[0])).toEqual([
      { type: 'queued', position: 0 },
      { type: 'queued', position: 1 },
      { type: 'queued', position: 2 },
    ]);
    await queue.idle();
    expect(most).toBe(1);
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(jobs.map((j) => j.result)).toEqual(['a', 'b', 'c']);
  });
});
