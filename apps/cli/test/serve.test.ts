import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const BIN = join(import.meta.dirname, '..', 'dist', 'bin.js');

describe('attune serve', () => {
  it('starts the web app on loopback over the discovered plugins and stops on SIGTERM', async () => {
    const adapters = mkdtempSync(join(tmpdir(), 'attune-serve-adapters-'));
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--adapter-root', adapters], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const { plugins } = (await (await fetch(`${url}/api/plugins`)).json()) as {
        plugins: { name: string }[];
      };
      expect(plugins.map((p) => p.name)).toContain('sts');
      // DePT's pinned tasks are passed in for training in the browser, and the adapter root is used.
      const { tasks } = (await (await fetch(`${url}/api/tasks`)).json()) as { tasks: { name: string }[] };
      expect(tasks.map((t) => t.name)).toEqual(
        expect.arrayContaining(['spam', 'reuters', 'sentiment', 'parity']),
      );
      expect(await (await fetch(`${url}/api/adapters`)).json()).toEqual({
        roots: 1,
        writable: true,
        adapters: [],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(adapters, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a bad port and a missing result store with the flag named', async () => {
    const errors: string[] = [];
    const io = { stdout: () => {}, stderr: (t: string) => errors.push(t) };
    expect(await main(['serve', '--port', '70000'], io)).toBe(1);
    expect(await main(['serve', '--db', '/nonexistent/results.sqlite'], io)).toBe(1);
    expect(await main(['serve', '--adapter-root', '/nonexistent/adapters'], io)).toBe(1);
    expect(errors).toEqual([
      'attune: --port must be at most 65535, got 70000\n',
      'attune: --db: no such file /nonexistent/results.sqlite\n',
      'attune: --adapter-root: no such folder /nonexistent/adapters\n',
    ]);
  });
});
