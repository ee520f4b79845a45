// `attune bench` (apps/cli/src/commands/bench.ts) in this process, over @attune/bench's test fixtures: a
// real MNIST suite and real pixel methods, so the numbers come from real evaluations.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResultStore } from '@attune/bench';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../../packages/bench/test/fixtures/registry.js';
import {
  fixtureRegistrySource,
  removeTempDirs,
  tempDir,
  tsxExecArgv,
} from '../../../packages/bench/test/helpers.js';
import { registerBenchCommand } from '../src/commands/bench.js';

afterAll(removeTempDirs);

/** Runs `attune bench ...` in this process. */
async function attune(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => {
      stdout += t;
    },
    stderr: (t: string) => {
      stderr += t;
    },
  };
  const updates: number[] = [];
  const bars: { label: string; total: number }[] = [];
  const program = new Command('attune')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerBenchCommand(program, io, {
    loadRegistry: async () => createRegistry(),
    workerRegistry: fixtureRegistrySource,
    workerExecArgv: tsxExecArgv,
    createProgressBar: (options) => {
      bars.push(options);
      return { update: (done) => updates.push(done), stop: () => undefined };
    },
  });
  let error: Error | undefined;
  try {
    await program.parseAsync(['bench', ...args], { from: 'user' });
  } catch (e) {
    error = e as Error;
  }
  return { stdout, stderr, error, updates, bars };
}

// Worker processes start tsx and load real MNIST: give them room on a 2-core machine.
describe('attune bench', { timeout: 60_000 }, () => {
  it('runs methods × seeds, prints the markdown summary and writes the reports and the store to --out', async () => {
    const out = join(tempDir(), 'out');
    const r = await attune(
      'mnist-digits',
      '--methods',
      'nearest-centroid,knn',
      '--config',
      'knn={"trainSize":300,"k":1}',
      '--seeds',
      '0,1',
      '--limit',
      '12',
      '--out',
      out,
      '--run-id',
      'cli-run',
    );
    expect(r.error).toBeUndefined();
    expect(r.stdout).toMatch(/^# Benchmark: mnist-digits/);
    expect(r.stdout).toMatch(
      /\| knn +\| [\d.]+ ± [\d.]+ +\| [\d.]+ ± [\d.]+ +\| [\d.]+ ± [\d.]+ +\| [\d.]+ ± [\d.]+ +\|/,
    );
    expect(r.stderr).toContain('run cli-run: 48 evaluated, 0 already done, 48/48 recorded');
    for (const file of ['summary.json', 'summary.md', 'accuracy.svg', 'results.sqlite']) {
      expect(existsSync(join(out, file))).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.methods.map((m: { label: string; config: unknown }) => [m.label, m.config])).toEqual([
      ['nearest-centroid', { perClass: 10 }],
      ['knn', { k: 1, trainSize: 300 }],
    ]);
    expect(r.bars).toEqual([{ label: 'mnist-digits', total: 48 }]);
    expect(r.updates.at(-1)).toBe(48);

    // Resuming a finished run from the command line evaluates nothing and prints the same table.
    const again = await attune('mnist-digits', '--resume', '--out', out, '--json');
    expect(again.error).toBeUndefined();
    expect(again.stderr).toContain('run cli-run: 0 evaluated, 48 already done, 48/48 recorded');
    expect(JSON.parse(again.stdout)).toEqual(summary);

    // --extend grows the run to a larger --limit: only the new samples are evaluated.
    const grown = await attune(
      'mnist-digits',
      '--resume',
      '--extend',
      '--limit',
      '15',
      '--out',
      out,
      '--json',
    );
    expect(grown.error).toBeUndefined();
    expect(grown.stderr).toContain('run cli-run: 12 evaluated, 48 already done, 60/60 recorded');
  });

  it('--workers 2 spreads the samples over two processes', async () => {
    const out = join(tempDir(), 'out');
    const r = await attune(
      'mnist-digits',
      '--methods',
      'nearest-centroid',
      '--limit',
      '9',
      '--workers',
      '2',
      '--out',
      out,
    );
    expect(r.error).toBeUndefined();
    expect(r.stderr).toContain('starting 2 worker processes');
    const store = ResultStore.open(join(out, 'results.sqlite'));
    const records = store.records(store.listRuns()[0]!.runId);
    expect(new Set(records.map((x) => x.worker))).toEqual(new Set([1, 2]));
    store.close();
  });

  it.each([
    [
      ['--methods', 'knn', '--seeds', '0,x'],
      '--seeds must be comma-separated non-negative integers like "0,1,2", got "0,x" (not an integer: "x")',
    ],
    [['--methods', 'knn', '--limit', '0'], '--limit must be an integer >= 1, got "0"'],
    [['--methods', 'knn', '--limit', 'ten'], '--limit must be an integer >= 1, got "ten"'],
    [['--methods', 'knn', '--workers', '0'], '--workers must be an integer >= 1, got "0"'],
    [[], '--methods is required for a new run, e.g. --methods tpt,zeroshot'],
    [['--methods', 'knn', '--config', 'tpt={}'], '--config names "tpt", which is not in --methods (knn)'],
    [['--methods', 'knn', '--config', 'knn={k:1}'], /^--config knn must be JSON, e.g. '\{"lr":0.01\}': /],
    [['--methods', 'knn', '--config', 'knn={"k":0}'], /^invalid config for plugin "knn": k: expected >= 1/],
    [['--methods', 'kn'], /^unknown plugin "kn". Did you mean "knn"\?/],
  ])('rejects %j with a message naming the problem', async (args, message) => {
    const r = await attune('mnist-digits', ...args, '--out', join(tempDir(), 'out'));
    expect(r.error?.message).toMatch(
      typeof message === 'string'
        ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
        : message,
    );
  });

  it('an unknown suite lists the known ones', async () => {
    const r = await attune('mnist', '--methods', 'knn', '--out', join(tempDir(), 'out'));
    expect(r.error?.message).toBe(
      'unknown suite "mnist". Did you mean "mnist-digits"? Known suites: mnist-digits.',
    );
  });
});
