// `attune bench images:<dir>` as a user runs it on their own folder (24 real MNIST test digits written as
// root/<label>/*.png): the run is named after the folder, the pinned list (path + sha256 per file) lands
// beside the results, --resume and --workers work as on the built-in suites, and a bad folder leaves no
// results.sqlite behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadMnist, writeImageFolder } from '@attune/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/bin.js');
const workspace = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'attune-bench-images-'));
const digits = join(dir, 'my-digits');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  writeImageFolder(loadMnist('test'), digits, { count: 24 });
});

function attune(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, ATTUNE_PLUGIN_ROOT: workspace, ATTUNE_CACHE_DIR: join(dir, 'cache') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('attune bench images:<dir>', () => {
  it('runs, names the run after the folder, writes the pinned list beside the results, and resumes', () => {
    const out = join(dir, 'out');
    const first = attune(
      'bench',
      'images:my-digits',
      '--methods',
      'zeroshot',
      '--limit',
      '10',
      '--out',
      out,
      '--json',
    );
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.run.suite).toBe('images:my-digits');
    expect(summary.recorded).toBe(10);
    const listFile = readdirSync(out).find((f) => f.endsWith('.samples.tsv'))!;
    expect(listFile).toMatch(/^images-my-digits-/);
    const list = readFileSync(join(out, listFile), 'utf8')
      .split('\n')
      .filter((l) => /^\d\//.test(l));
    expect(list).toHaveLength(24); // the whole seeded order; --limit 10 ran its first 10
    for (const line of list)
      expect(line).toMatch(/^\d\/mnist-test-\d{5}\.png\t[0-9a-f]{64}\t\d\t[a-z]+\t\d$/);
    const markdown = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(markdown).toMatch(/# Benchmark: images:my-digits/);

    const resumed = attune('bench', 'images:my-digits', '--resume', '--out', out);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/0 evaluated, 10 already done, 10\/10 recorded/);
  }, 180_000);

  it('evaluates on worker processes with the same records', () => {
    const out = join(dir, 'workers');
    const r = attune(
      'bench',
      'images:my-digits',
      '--methods',
      'zeroshot',
      '--limit',
      '6',
      '--workers',
      '2',
      '--out',
      out,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/starting 2 worker processes/);
    expect(JSON.parse(r.stdout).recorded).toBe(6);
  }, 180_000);

  it('a bad folder is a one-line error and leaves no results.sqlite', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    const out = join(dir, 'bad');
    let r = attune('bench', 'images:empty', '--methods', 'zeroshot', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^attune: image folder .*empty holds no images/);
    expect(existsSync(join(out, 'results.sqlite'))).toBe(false);
    r = attune('bench', 'my-digits', '--methods', 'zeroshot', '--out', out);
    expect(r.stderr).toMatch(
      /^attune: unknown suite "my-digits"; it is a folder: .*name the suite images:my-digits/,
    );
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
