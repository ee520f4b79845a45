// Real redis-server processes for the queue tests, on loopback ports picked free by the kernel.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = process.env.ATTUNE_REDIS_SERVER ?? '/usr/bin/redis-server';
/** Set by .ci/run: a redis-server it started on a free loopback port for the whole test run. */
export const TEST_REDIS_URL_ENV = 'ATTUNE_TEST_REDIS_URL';

/**
 * Whether the queue tests can run. Under CI=true a missing Redis is an error (the tests fail, they are not
 * skipped); elsewhere they skip with a reason.
 */
export function redisForTests(): { available: boolean; reason: string } {
  if (process.env[TEST_REDIS_URL_ENV] || existsSync(REDIS_SERVER)) return { available: true, reason: '' };
  const reason = `no redis-server at ${REDIS_SERVER} and no $${TEST_REDIS_URL_ENV} (scripts/setup.sh installs it)`;
  if (process.env.CI === 'true') throw new Error(`queue tests need Redis under CI: ${reason}`);
  return { available: false, reason };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGKILL by default: no chance to save anything beyond what AOF already fsynced). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data directory (AOF replayed when persistence is on). */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  dispose(): Promise<void>;
}

/** Starts redis-server bound to 127.0.0.1 only; with aof, every write is fsynced before it is acknowledged. */
export async function startRedisServer(options: { aof?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'attune-redis-'));
  let child: ChildProcess | undefined;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.aof ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
  ];
  const start = async () => {
    const started = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (d: Buffer) => {
        output += d.toString();
        if (output.includes('Ready to accept connections')) resolve();
      };
      started.stdout!.on('data', onData);
      started.stderr!.on('data', onData);
      started.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`)),
      );
      started.once('error', reject);
    });
    started.stdout!.resume();
    started.stderr!.resume();
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
