// `attune worker` and `attune bench` as real child processes (the fixture CLI over the fixture registry).
import { type ChildProcess, spawn } from 'node:child_process';
import { benchProcessFixture, tsxExecArgv } from '../helpers.js';

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stderr so far. */
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const running = new Set<ChildProcess>();

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [...tsxExecArgv, benchProcessFixture, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) =>
      child.on('exit', (code, signal) => {
        running.delete(child);
        resolve({ code, signal, stderr });
      }),
  );
  return { child, pid: child.pid!, stderr: () => stderr, exited };
}

/** `attune worker --queue url`, resolved once it is connected and listening. */
export async function startWorker(
  url: string,
  queueName: string,
  options: { lockMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CliProcess & { worker: number }> {
  const proc = startCli(
    ['worker', '--queue', url, '--queue-name', queueName, '--lock-ms', String(options.lockMs ?? 30_000)],
    options.env,
  );
  const worker = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /attune worker (\d+) \(.*\) on queue/.exec(proc.stderr());
      if (match) {
        clearInterval(timer);
        resolve(Number(match[1]));
      }
    }, 20);
    void proc.exited.then(({ code, stderr }) => {
      clearInterval(timer);
      reject(new Error(`worker exited with ${code} before it was ready: ${stderr}`));
    });
  });
  return { ...proc, worker };
}

/** Asks a process to stop (SIGTERM: a worker finishes its job) and waits for it. */
export async function stopProcess(proc: CliProcess): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
  await proc.exited;
}

/** Kills whatever a failed test left running. */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const child of left) child.kill('SIGKILL');
  await Promise.all(
    left.map(
      (c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(0) : c.once('exit', r))),
    ),
  );
}
