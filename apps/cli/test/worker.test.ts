import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/bin.js');

function attune(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A loopback port with nothing listening (bound, read, released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

// The built CLI starts in 1-3 s on a busy 2-core machine; several starts per test.
describe('attune worker and attune bench --queue (arguments; the queue itself is tested in @attune/bench)', {
  timeout: 60_000,
}, () => {
  it('are listed in the help with their options', () => {
    expect(attune('--help').stdout).toMatch(/worker \[options\]/);
    const worker = attune('worker', '--help').stdout;
    for (const flag of ['--queue <url>', '--queue-name <name>', '--lock-ms <ms>'])
      expect(worker).toContain(flag);
    expect(worker).toContain('ATTUNE_REDIS_PASSWORD');
    const bench = attune('bench', '--help').stdout;
    for (const flag of ['--queue <url>', '--queue-name <name>', '--attempts <n>'])
      expect(bench).toContain(flag);
  });

  it('bad URLs and numbers are refused with what would be right', () => {
    expect(attune('worker').stderr).toContain("required option '--queue <url>' not specified");
    const ftp = attune('worker', '--queue', 'ftp://:pw@h:1');
    expect(ftp.code).toBe(1);
    expect(ftp.stderr).toBe(
      'attune: --queue must start with redis:// or rediss:// (TLS), got "ftp://" in ftp://:***@h:1/\n',
    );
    expect(attune('worker', '--queue', 'redis://h:1', '--lock-ms', '10').stderr).toContain(
      '--lock-ms must be an integer >= 500, got "10"',
    );
    expect(attune('bench', 'mnist-digits', '--methods', 'knn', '--queue', 'localhost').stderr).toContain(
      '--queue must be a Redis URL like redis://127.0.0.1:6379',
    );
    expect(
      attune('bench', 'x', '--methods', 'knn', '--queue', 'redis://h:1', '--attempts', '0').stderr,
    ).toContain('--attempts must be an integer >= 1, got "0"');
  });

  it('an unreachable Redis is a one-line error with the password hidden', async () => {
    const port = await closedPort();
    const { code, stderr } = attune('worker', '--queue', `redis://:hunter2@127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(stderr).toContain(`attune: cannot reach Redis at redis://:***@127.0.0.1:${port}`);
    expect(stderr).not.toContain('hunter2');
  });
});
