// Bad inputs to `attune bench`: output paths checked before any work, methods that do not fit the suite
// refused before a run row is written, and a failed bench leaves no empty store behind.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, Registry } from '@attune/registry';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputPath, parseBenchFlags, ResultStore, runBenchToReports } from '../src/index.js';
import { benchArgs } from './fixtures/bench-args.js';
import { mnistDigits } from './fixtures/mnist-suite.js';
import { knn } from './fixtures/pixel-methods.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

// A suite whose samples need a vision-language method, a method that brings one, and one that does not.
const imageSuite = definePlugin({ ...mnistDigits, name: 'image-digits', needs: ['vision-language'] });
const imageMethod = definePlugin({ ...knn, name: 'knn-vl', provides: ['vision-language'] });
const textMethod = definePlugin({ ...knn, name: 'text-answer', needs: [], provides: ['text-answer'] });
const registry = () =>
  new Registry()
    .register(mnistDigits)
    .register(knn)
    .register(imageSuite)
    .register(imageMethod)
    .register(textMethod);

/** `attune bench ...args` through the library API the CLI calls. */
async function bench(...args: string[]): Promise<Error | undefined> {
  try {
    const { suite, flags } = benchArgs(args);
    const request = parseBenchFlags(suite, flags);
    await runBenchToReports({ registry: registry(), request, workerRegistry: { discover: [] } });
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

describe('output paths are checked before any work', () => {
  const dir = tempDir();
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory');
  mkdirSync(join(dir, 'a-dir'));
  const cases: [string, string[], string][] = [
    [
      '--out that is a file',
      ['--out', file],
      `--out ${file} is a file; expected a directory (or a new path)`,
    ],
    ['--out under /proc', ['--out', '/proc/x'], '--out /proc/x is under /proc, a kernel filesystem'],
    [
      '--out under /sys',
      ['--out', '/sys/kernel/x'],
      '--out /sys/kernel/x is under /sys, a kernel filesystem',
    ],
    ['--out under a file', ['--out', join(file, 'sub')], `${file} is a file, so it cannot hold a directory`],
    [
      '--db that is a directory',
      ['--db', join(dir, 'a-dir')],
      `--db ${join(dir, 'a-dir')} is a directory; expected a file path`,
    ],
    ['--db under /proc', ['--db', '/proc/self/x.sqlite'], '--db /proc/self/x.sqlite is under /proc'],
    ['--db under /dev', ['--db', '/dev/shm-not/x.sqlite'], '--db /dev/shm-not/x.sqlite is under /dev'],
    ['--db under a file', ['--db', join(file, 'r.sqlite')], `${file} is a file, so it cannot hold a file`],
    ['--out empty', ['--out', ''], '--out must be a path, got an empty string'],
  ];
  it.each(cases)('%s', async (_what, flags, message) => {
    const error = await bench(
      'mnist-digits',
      '--methods',
      'knn',
      ...(flags[0] === '--db' ? ['--out', join(dir, 'o')] : []),
      ...flags,
    );
    expect(error?.message).toContain(message);
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });

  it('accepts a new directory, an existing one and a new file path', () => {
    expect(checkOutputPath('--out', join(dir, 'new', 'deeper'), 'directory')).toBe(
      join(dir, 'new', 'deeper'),
    );
    expect(checkOutputPath('--out', dir, 'directory')).toBe(dir);
    expect(checkOutputPath('--db', join(dir, 'x.sqlite'), 'file')).toBe(join(dir, 'x.sqlite'));
  });
});

describe('a method that cannot run on the suite is refused before a run row is written', () => {
  it('names the method, what the suite needs and the methods that fit', async () => {
    const out = join(tempDir(), 'out');
    const error = await bench('image-digits', '--methods', 'knn-vl,text-answer', '--out', out);
    expect(error?.message).toBe(
      'method "text-answer" cannot run on suite "image-digits": the suite needs "vision-language", and ' +
        'text-answer works with text-answer. Methods that fit this suite: knn-vl.',
    );
    // Nothing was left behind: no store, not even the --out directory the store would have created.
    expect(existsSync(out)).toBe(false);
  });

  it('keeps an existing store file, only adding nothing to it', async () => {
    const out = tempDir();
    const db = join(out, 'results.sqlite');
    ResultStore.open(db).close();
    await bench('image-digits', '--methods', 'text-answer', '--out', out);
    expect(existsSync(db)).toBe(true);
    const store = ResultStore.open(db);
    expect(store.listRuns()).toEqual([]);
    store.close();
  });

  it('a failed bench (bad config) leaves no empty store in a new --out', async () => {
    const out = join(tempDir(), 'fresh');
    const error = await bench('mnist-digits', '--methods', 'knn', '--config', 'knn={"kk":3}', '--out', out);
    expect(error?.message).toContain('unknown option "kk" for knn; did you mean "k"?');
    expect(existsSync(out)).toBe(false);
  });

  it('a failed bench (unknown suite) in an existing --out leaves it empty', async () => {
    const out = tempDir();
    await bench('no-such-suite', '--methods', 'knn', '--out', out);
    expect(readdirSync(out)).toEqual([]);
  });
});
