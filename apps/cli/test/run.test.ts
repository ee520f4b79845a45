import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadMnist } from '@attune/data';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/bin.js');
const workspace = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'attune-run-'));
const digit = join(dir, 'digit.png');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  // MNIST test image 0 (a seven) saved as an RGB PNG, as a user's file would be.
  const mnist = loadMnist('test');
  const png = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 28 * 28; i++) {
    const v = mnist.images[i]!;
    png.data.set([v, v, v, 255], i * 4);
  }
  writeFileSync(digit, PNG.sync.write(png));
});

function attune(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ATTUNE_PLUGIN_ROOT: workspace },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('attune run', () => {
  it('tpt on a real digit: prediction, top-5 and what adaptation did', () => {
    const { code, stdout, stderr } = attune('run', 'tpt', '--image', digit, '--dataset', 'mnist');
    expect(stderr).not.toMatch(/attune:/);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('prediction: seven');
    expect(lines.slice(2, 7)).toHaveLength(5);
    expect(lines[2]).toMatch(/^ {2}seven +\d+\.\d\d%$/);
    expect(stdout).toMatch(/entropy before \d\.\d{4}, after \d\.\d{4}/);
    expect(stdout).toMatch(/views kept 6, steps 1/);
    expect(stdout).toMatch(/time \d+ ms \(views \d+, encode \d+, tune \d+, predict \d+\)/);
  }, 120_000);

  it('takes explicit classes and prints JSON', () => {
    const { code, stdout } = attune(
      'run',
      'zeroshot',
      '--image',
      digit,
      '--classes',
      'one,seven,nine',
      '--json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.prediction).toBe('seven');
    expect(result.probs).toHaveLength(3);
    expect(result.probs.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
  }, 120_000);

  it('fails in one line on a missing image, an unknown method and a non-method plugin', () => {
    expect(attune('run', 'tpt', '--image', join(dir, 'nope.png')).stderr).toBe(
      `attune: --image: no such file ${join(dir, 'nope.png')}\n`,
    );
    const typo = attune('run', 'tpp', '--image', digit);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^attune: unknown plugin "tpp"\. Did you mean "tpt"\?/);
    expect(attune('run', 'backend-onnx', '--image', digit).stderr).toBe(
      'attune: "backend-onnx" is a backend plugin; run takes a method\n',
    );
    expect(attune('run', 'zeroshot', '--image', digit, '--classes', 'a,a').stderr).toMatch(
      /^attune: .*duplicate/i,
    );
  }, 120_000);
});
