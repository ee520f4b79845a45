import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ResultStore, runBenchmark, taskKey } from '../src/index.js';
import { readLog } from './fixtures/fixture-log.js';
import { createRegistry } from './fixtures/registry.js';
import {
  alive,
  benchProcessFixture,
  outcomeOf,
  removeTempDirs,
  tempDir,
  tsxExecArgv,
  waitFor,
} from './helpers.js';

afterAll(removeTempDirs);

const WORKERS = 2;
const LIMIT = 150;
const TOTAL = LIMIT * 2; // the first 150 samples of the pinned list x seeds 0,1

/** `attune bench` in a real child process, as a user runs it. */
function bench(
  args: string[],
  log: string,
  detached = false,
): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  // detached: its own process group, so a "Ctrl-C" (SIGINT to the group) reaches the harness and its workers.
  const child = spawn(
    process.execPath,
    [...tsxExecArgv, benchProcessFixture, 'bench', 'mnist-digits', ...args],
    {
      env: { ...process.env, BENCH_FIXTURE_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached,
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

function countRecords(db: string): number {
  if (!existsSync(db)) return 0;
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (conn.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
    } finally {
      conn.close();
    }
  } catch {
    return 0; // not created yet
  }
}

describe('SIGKILL a real benchmark run midway, then --resume', () => {
  it('loses at most the samples in flight, recomputes nothing, and ends equal to an uninterrupted run', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const db = join(out, 'results.sqlite');
    const log1 = join(dir, 'first.log');
    const log2 = join(dir, 'resume.log');
    const args = [
      '--methods',
      'knn',
      '--seeds',
      '0,1',
      '--limit',
      String(LIMIT),
      '--workers',
      String(WORKERS),
      '--out',
      out,
    ];

    // 1. Start the run and kill the harness process (SIGKILL: no cleanup) once a quarter is recorded.
    const first = bench([...args, '--run-id', 'killed'], log1);
    await waitFor(() => countRecords(db) >= TOTAL / 4, 45_000, 'a quarter of the records');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');

    const afterKill = ResultStore.open(db);
    const kept = afterKill.records('killed');
    const attempts1 = afterKill.attempts('killed');
    afterKill.close();
    // Orphaned workers notice the dead harness and exit by themselves.
    const workerPids = [...new Set(attempts1.map((a) => a.pid))];
    expect(workerPids).toHaveLength(WORKERS);
    for (const pid of workerPids) await waitFor(() => !alive(pid), 10_000, `orphaned worker ${pid} to exit`);

    expect(kept.length).toBeGreaterThanOrEqual(TOTAL / 4);
    expect(kept.length).toBeLessThan(TOTAL);
    const keptKeys = new Set(kept.map((r) => taskKey(r.method, r.configHash, r.seed, r.sampleKey)));
    const keyOf = (a: { method: string; seed: number; sampleKey: string }) =>
      `${a.method}|${a.seed}|${a.sampleKey}`;
    const keptIds = new Set(kept.map(keyOf));
    // Started but unrecorded: the samples in flight when the harness died, at most one per worker.
    const lost = attempts1.filter((a) => !keptIds.has(keyOf(a)));
    expect(lost.length).toBeLessThanOrEqual(WORKERS);
    // Independent evidence from the method itself: every recorded sample was evaluated exactly once, and
    // anything else it evaluated is among the lost in-flight samples.
    const evals1 = readLog(log1)
      .filter((l) => l.kind === 'eval')
      .map((l) => `${l.method}|${l.seed}|${l.key}`);
    expect(new Set(evals1).size).toBe(evals1.length);
    expect(evals1.filter((k) => !keptIds.has(k)).every((k) => lost.some((a) => keyOf(a) === k))).toBe(true);
    expect(evals1.filter((k) => keptIds.has(k))).toHaveLength(kept.length);

    // 2. Resume (methods and seeds come from the run).
    const second = bench(
      ['--resume', '--run-id', 'killed', '--workers', String(WORKERS), '--out', out],
      log2,
    );
    const resumed = await second.done;
    expect(resumed.stderr).toContain(
      `${TOTAL - kept.length} evaluated, ${kept.length} already done, ${TOTAL}/${TOTAL} recorded`,
    );
    expect(resumed.code).toBe(0);

    const store = ResultStore.open(db);
    const final = store.records('killed');
    expect(final).toHaveLength(TOTAL);
    expect(new Set(final.map(keyOf)).size).toBe(TOTAL);
    // Nothing finished was recomputed or changed: the kept records are byte-for-byte the same rows.
    expect(final.filter((r) => keptKeys.has(taskKey(r.method, r.configHash, r.seed, r.sampleKey)))).toEqual(
      kept,
    );
    const evals2 = readLog(log2)
      .filter((l) => l.kind === 'eval')
      .map((l) => `${l.method}|${l.seed}|${l.key}`);
    expect(evals2.sort()).toEqual(
      final
        .map(keyOf)
        .filter((k) => !keptIds.has(k))
        .sort(),
    );
    // The in-flight samples were redone as attempt 2; everything else is attempt 1.
    const secondTries = final
      .filter((r) => r.attempt === 2)
      .map(keyOf)
      .sort();
    expect(secondTries).toEqual(lost.map(keyOf).sort());
    expect(final.every((r) => r.attempt === 1 || r.attempt === 2)).toBe(true);
    expect(new Database(db, { readonly: true }).pragma('integrity_check', { simple: true })).toBe('ok');

    // 3. The same run, never interrupted, in one process: identical outcomes.
    const reference = ResultStore.open(join(dir, 'reference.sqlite'), { durability: 'normal' });
    const straight = await runBenchmark({
      registry: createRegistry(),
      suite: 'mnist-digits',
      methods: [{ name: 'knn' }],
      seeds: [0, 1],
      limit: LIMIT,
      store: reference,
    });
    expect(final.map(outcomeOf)).toEqual(reference.records(straight.run.runId).map(outcomeOf));
    reference.close();

    // The reports describe the finished run.
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ complete: true, recorded: TOTAL, expected: TOTAL });
    expect(store.getRun('killed')!.methods.map((m) => m.name)).toEqual(['knn']);
    store.close();
  });
});

describe('Ctrl-C (SIGINT to the process group) during a run with workers', () => {
  it('finishes the samples in flight, records them, writes partial reports and says how to resume', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const db = join(out, 'results.sqlite');
    const args = [
      '--methods',
      'knn',
      '--seeds',
      '0,1',
      '--limit',
      String(LIMIT),
      '--workers',
      '2',
      '--out',
      out,
    ];
    const run = bench([...args, '--run-id', 'stopped'], join(dir, 'log'), true);
    await waitFor(() => countRecords(db) >= 40, 45_000, '40 records');
    process.kill(-run.child.pid!, 'SIGINT');
    const { code, stderr } = await run.done;
    expect(code).toBe(1);
    expect(stderr).toContain('stopping after the samples in flight');
    const recorded = countRecords(db);
    expect(recorded).toBeLessThan(TOTAL);
    expect(stderr).toContain(
      `attune: interrupted with ${recorded}/${TOTAL} samples recorded; continue with attune bench mnist-digits --resume --run-id stopped --out ${out}`,
    );
    // A clean stop loses nothing: every logged attempt has its record (no sample was cut off).
    const store = ResultStore.open(db);
    expect(store.attempts('stopped')).toHaveLength(recorded);
    store.close();
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({
      complete: false,
      recorded,
    });
  });
});
