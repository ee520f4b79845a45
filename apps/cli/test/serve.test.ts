import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const BIN = join(import.meta.dirname, '..', 'dist', 'bin.js');

describe('attune serve', () => {
  it('starts the web app on loopback over the discovered plugins and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
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
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses a bad port and a missing result store with the flag named', async () => {
    const errors: string[] = [];
    const io = { stdout: () => {}, stderr: (t: string) => errors.push(t) };
    expect(await main(['serve', '--port', '70000'], io)).toBe(1);
    expect(await main(['serve', '--db', '/nonexistent/results.sqlite'], io)).toBe(1);
    expect(errors).toEqual([
      'attune: --port must be at most 65535, got 70000\n',
      'attune: --db: no such file /nonexistent/results.sqlite\n',
    ]);
  });
});
