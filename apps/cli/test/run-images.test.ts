// `attune run --images` on a user's folder written from 30 real MNIST test digits (root/<label>/*.png with a
// classes.txt mapping folders to prompt words), and every folder error of issue 14, as a user meets them.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadMnist, MNIST_CLASS_NAMES, writeImageFolder } from '@attune/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/bin.js');
const workspace = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'attune-run-images-'));
const digits = join(dir, 'digits');
const flat = join(dir, 'flat');
const mnist = loadMnist('test');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  writeImageFolder(mnist, digits, { count: 30 });
  writeImageFolder(mnist, flat, { count: 4, start: 50, flat: true });
});

function attune(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ATTUNE_PLUGIN_ROOT: workspace },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('attune run --images', () => {
  it('classifies every image: one JSON line each, then a summary with accuracy and its interval', () => {
    const { code, stdout, stderr } = attune('run', 'zeroshot', '--images', digits, '--json');
    expect(code, stderr).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const images = lines.filter((l) => l.type === 'image');
    const summary = lines.at(-1);
    expect(images).toHaveLength(30);
    expect(summary.type).toBe('summary');
    for (const row of images) {
      const index = Number(/(\d{5})\.png$/.exec(row.path)![1]);
      expect(row.label).toBe(MNIST_CLASS_NAMES[mnist.labels[index]!]);
      expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(row.correct).toBe(row.prediction === row.label);
    }
    const correct = images.filter((r) => r.correct).length;
    expect(summary.correct).toBe(correct);
    expect(summary.accuracy).toBeCloseTo(correct / 30, 12);
    expect(summary.accuracy).toBeGreaterThan(0.8); // mini-CLIP's zero-shot MNIST accuracy is ~0.9
    expect(summary.accuracyInterval95[0]).toBeLessThan(summary.accuracy);
    expect(summary.accuracyInterval95[1]).toBeGreaterThan(summary.accuracy);
    expect(summary.classSource).toBe('classes.txt');
    expect(stderr).toMatch(/zeroshot .*digits 30\/30/); // the progress bar (plain lines off a terminal)
  }, 120_000);

  it('prints a table with accuracy, and takes --classes as folder=words over classes.txt', () => {
    const folders = readFileSync(join(digits, 'classes.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('=')[0]);
    const mapping = folders.map((f) => `${f}=${MNIST_CLASS_NAMES[Number(f)]}`).join(',');
    const { code, stdout } = attune('run', 'zeroshot', '--images', digits, '--classes', mapping);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^image +prediction +prob +label +correct$/);
    expect(lines.slice(2, 32)).toHaveLength(30);
    expect(stdout).toMatch(/accuracy: \d+\/30 = \d+\.\d% \(95% interval \d+\.\d–\d+\.\d%\)/);
    expect(stdout).toMatch(/classes \(--classes\): zero, one/);
  }, 120_000);

  it('a flat folder is classified without labels (no accuracy)', () => {
    const { code, stdout } = attune('run', 'zeroshot', '--images', flat);
    expect(code).toBe(0);
    expect(stdout).toMatch(/4 images classified/);
    expect(stdout).toMatch(/accuracy: — \(a flat folder has no labels/);
  }, 120_000);

  it('unreadable files: fatal and named by default, skipped and counted with --skip-unreadable', () => {
    const broken = join(dir, 'broken');
    mkdirSync(join(broken, '7'), { recursive: true });
    copyFileSync(join(digits, '7', 'mnist-test-00000.png'), join(broken, '7', 'good.png'));
    writeFileSync(join(broken, '7', 'bad.png'), 'not a png');
    let r = attune('run', 'zeroshot', '--images', broken, '--classes', '7=seven');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^attune: .*bad\.png: not a PNG or JPEG image.*--skip-unreadable/);
    r = attune('run', 'zeroshot', '--images', broken, '--classes', '7=seven,x=y', '--skip-unreadable');
    expect(r.stderr).toMatch(/--classes does not match the class folders .*classes without a folder: x/);
    r = attune('run', 'zeroshot', '--images', broken, '--classes', '7=seven', '--skip-unreadable', '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ classified: 1, skipped: 1, skippedFiles: [{ path: '7/bad.png' }] });
  }, 120_000);

  it('a folder with no images, a folder passed to --image, and repeated --image flags are one-line errors', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    let r = attune('run', 'zeroshot', '--images', empty);
    expect(r.stderr).toMatch(/^attune: image folder .*empty holds no images/);
    r = attune('run', 'zeroshot', '--image', digits);
    expect(r.stderr).toMatch(/^attune: --image .*digits is a folder; use --images .*digits/);
    r = attune('run', 'zeroshot', '--image', 'a.png', '--image', 'b.png');
    expect(r.stderr).toMatch(/^attune: --image was given 2 times \(a\.png, b\.png\)/);
    expect(r.code).toBe(1);
  }, 60_000);
});
