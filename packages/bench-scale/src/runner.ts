// Runs one case in a fresh child process (worker.ts) under the memory guard: a free-memory check before it
// starts, a V8 heap cap, a watchdog on its resident memory and a time limit. Whatever happens to the child,
// the result is a CaseResult; a child that dies is a row saying why, never a crashed benchmark.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ChildOutcome,
  classifyFailure,
  decideBudget,
  GiB,
  parseProcStatus,
  readMeminfo,
} from './memory.js';
import type { CaseResult, CaseSpec, SampleRecord, TfMemory, WorkerMessage } from './types.js';

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface RunOptions {
  /** RSS cap per child (--budget-gib); default: what is free minus the reserve. */
  readonly budgetBytes?: number;
  /** Left free for everything else. */
  readonly reserveBytes: number;
  /** Below this a child is not started (the loaded model alone). */
  readonly minimumBytes: number;
  /** V8 old-space cap of the child, MiB. */
  readonly maxOldSpaceMiB: number;
  readonly timeoutSeconds: number;
  /** How often the watchdog reads /proc/<pid>/status. */
  readonly pollMs: number;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return { file: join(dirname(here), 'worker.ts'), execArgv: ['--import', 'tsx'] };
  return { file: join(dirname(here), 'worker.js'), execArgv: [] };
}

export async function runCase(spec: CaseSpec, options: RunOptions): Promise<CaseResult> {
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const elapsed = () => (performance.now() - started) / 1000;
  const decision = decideBudget({
    availableBytes: readMeminfo().availableBytes,
    ...(options.budgetBytes !== undefined ? { requestedBytes: options.budgetBytes } : {}),
    reserveBytes: options.reserveBytes,
    minimumBytes: options.minimumBytes,
  });
  if (!decision.run) {
    return {
      spec,
      status: 'does-not-fit',
      reason: decision.reason,
      samples: [],
      warmups: [],
      wallSeconds: elapsed(),
      notes: [],
    };
  }
  const budgetBytes = decision.budgetBytes;
  const entry = workerEntry();
  const child = fork(entry.file, [], {
    cwd: PACKAGE_DIR,
    execArgv: [...entry.execArgv, `--max-old-space-size=${options.maxOldSpaceMiB}`],
    env: { ...process.env, ATTUNE_BENCH_CASE: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });

  const samples: SampleRecord[] = [];
  const warmups: SampleRecord[] = [];
  const notes: string[] = [];
  let lastStage = 'start';
  let loadMs: number | undefined;
  let setupMs: number | undefined;
  let setupWhat: string | undefined;
  let loadedRssBytes: number | undefined;
  let backend: string | undefined;
  let tfBackend: string | undefined;
  let childMaxRss = 0;
  let watchedHwm = 0;
  let wasmHeapBytes: number | undefined;
  let tfMemory: TfMemory | undefined;
  let childError: ChildOutcome['childError'];
  let overBudget: ChildOutcome['overBudget'];
  let timedOutSeconds: number | undefined;
  let done = false;
  let stderr = '';

  child.stdout?.on('data', () => {}); // tfjs' "install tfjs-node" banner; not needed
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-16_000);
  });
  child.on('message', (raw) => {
    const message = raw as WorkerMessage;
    switch (message.type) {
      case 'stage':
        lastStage = message.stage;
        options.log(`    ${spec.method} C=${spec.classes}: ${message.stage}`);
        break;
      case 'loaded':
        loadMs = message.ms;
        loadedRssBytes = message.rssBytes;
        backend = message.backend;
        tfBackend = message.tfBackend;
        break;
      case 'setup':
        setupMs = message.ms;
        setupWhat = message.what;
        break;
      case 'sample': {
        (message.warmup ? warmups : samples).push(message.record);
        childMaxRss = Math.max(childMaxRss, message.record.maxRssBytes);
        if (message.record.wasmHeapBytes !== undefined) wasmHeapBytes = message.record.wasmHeapBytes;
        const r = message.record;
        options.log(
          `    ${message.warmup ? 'warm-up' : 'sample'} ${r.image}: ${(r.totalMs / 1000).toFixed(2)} s${r.cpuMs !== undefined ? ` (CPU ${(r.cpuMs / 1000).toFixed(2)} s)` : ''}, maxRSS ${(r.maxRssBytes / GiB).toFixed(2)} GiB`,
        );
        break;
      }
      case 'done':
        done = true;
        childMaxRss = Math.max(childMaxRss, message.maxRssBytes);
        tfMemory = message.tfMemory;
        backend = message.backend;
        tfBackend = message.tfBackend;
        if (message.wasmHeapBytes !== undefined) wasmHeapBytes = message.wasmHeapBytes;
        notes.push(...message.notes);
        break;
      case 'error':
        childError = {
          message: message.message,
          ...(message.wasmHeapBytes !== undefined ? { wasmHeapBytes: message.wasmHeapBytes } : {}),
          ...(message.tfBackend !== undefined ? { tfBackend: message.tfBackend } : {}),
        };
        if (message.wasmHeapBytes !== undefined) wasmHeapBytes = message.wasmHeapBytes;
        lastStage = message.stage;
        break;
    }
  });

  const watchdog = setInterval(() => {
    if (child.pid === undefined || child.exitCode !== null) return;
    let status: { rssBytes?: number; hwmBytes?: number };
    try {
      status = parseProcStatus(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    } catch {
      return; // exited between the check and the read
    }
    if (status.hwmBytes !== undefined) watchedHwm = Math.max(watchedHwm, status.hwmBytes);
    if (status.rssBytes !== undefined && status.rssBytes > budgetBytes && !overBudget) {
      overBudget = { rssBytes: status.rssBytes, budgetBytes };
      child.kill('SIGKILL');
    }
  }, options.pollMs);
  const timer = setTimeout(() => {
    timedOutSeconds = options.timeoutSeconds;
    child.kill('SIGKILL');
  }, options.timeoutSeconds * 1000);

  const { exitCode, signal } = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => child.on('exit', (code, sig) => resolve({ exitCode: code, signal: sig })),
  );
  clearInterval(watchdog);
  clearTimeout(timer);

  const peakRssBytes = Math.max(childMaxRss, watchedHwm) || undefined;
  const common = {
    spec,
    samples,
    warmups,
    ...(loadMs !== undefined ? { loadMs } : {}),
    ...(setupMs !== undefined ? { setupMs } : {}),
    ...(setupWhat !== undefined ? { setupWhat } : {}),
    ...(loadedRssBytes !== undefined ? { loadedRssBytes } : {}),
    ...(peakRssBytes !== undefined ? { peakRssBytes } : {}),
    ...(wasmHeapBytes !== undefined ? { wasmHeapBytes } : {}),
    ...(tfMemory !== undefined ? { tfMemory } : {}),
    ...(backend !== undefined ? { backend } : {}),
    ...(tfBackend !== undefined ? { tfBackend } : {}),
    lastStage,
    wallSeconds: elapsed(),
    loadAverage: [loadAtStart, loadavg()[0]!] as const,
    notes,
  };
  if (done && exitCode === 0 && !overBudget && timedOutSeconds === undefined) {
    return { ...common, status: 'ok' };
  }
  const verdict = classifyFailure({
    exitCode,
    signal,
    ...(overBudget ? { overBudget } : {}),
    ...(timedOutSeconds !== undefined ? { timedOutSeconds } : {}),
    ...(childError ? { childError } : {}),
    stderrTail: stderr,
    lastStage,
    ...(peakRssBytes !== undefined ? { peakRssBytes } : {}),
  });
  return { ...common, status: verdict.status, reason: verdict.reason };
}
