import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/bin.js');
const out = mkdtempSync(join(tmpdir(), 'attune-preview-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function attune(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('attune data preview', { timeout: 60_000 }, () => {
  it('renders real suite images under each corruption and severity into a PNG grid', () => {
    const file = join(out, 'grid.png');
    const { code, stdout } = attune(
      'data',
      'preview',
      'mini-clip-corrupt-short',
      '--out',
      file,
      '--corruptions',
      'gaussian_noise,fog',
      '--severities',
      '1,5',
      '--scale',
      '2',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('2 corruptions × (clean + severities 1,5)');
    const png = PNG.sync.read(readFileSync(file));
    // 3 columns (clean, 1, 5) and 2 rows of 56 px tiles with 2 px gaps around and between.
    expect(png.width).toBe(3 * 56 + 4 * 2);
    expect(png.height).toBe(2 * 56 + 3 * 2);
    // The clean tile and the severity-5 noise tile of row 0 differ (the corruption did something).
    const tile = (col: number) => {
      const values: number[] = [];
      for (let y = 2; y < 58; y++)
        for (let x = 0; x < 56; x++) values.push(png.data[(y * png.width + 2 + col * 58 + x) * 4]!);
      return values;
    };
    const diff = tile(0).reduce((acc, v, i) => acc + Math.abs(v - tile(2)[i]!), 0) / (56 * 56);
    expect(diff).toBeGreaterThan(10);
  });

  it('checks --out before any work: a directory, a kernel filesystem, a path under a file', () => {
    const file = join(out, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string, string][] = [
      [
        out,
        `attune: --out ${out} is a directory; expected a file path such as ${join(out, 'preview.png')}\n`,
      ],
      [
        '/proc/x.png',
        'attune: --out /proc/x.png is under /proc, a kernel filesystem; expected a file on a normal disk, e.g. ./preview.png\n',
      ],
      [
        join(file, 'x.png'),
        `attune: --out ${join(file, 'x.png')}: ${file} is a file, so it cannot hold a file; expected a path under a directory\n`,
      ],
    ];
    for (const [path, message] of cases) {
      const r = attune('data', 'preview', 'shift-short', '--out', path);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(message);
    }
  });

  it('names an unknown suite and an unknown corruption', () => {
    const a = attune('data', 'preview', 'nope', '--out', join(out, 'x.png'));
    expect(a.code).toBe(1);
    expect(a.stderr).toBe(
      'attune: unknown suite "nope", expected one of mini-clip-corrupt-short, mini-clip-corrupt-full, shift-short, shift-full\n',
    );
    const b = attune(
      'data',
      'preview',
      'mini-clip-corrupt-short',
      '--out',
      join(out, 'x.png'),
      '--corruptions',
      'fogg',
    );
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^attune: --corruptions: unknown "fogg" \(did you mean "fog"\?\)/);
    const c = attune(
      'data',
      'preview',
      'mini-clip-corrupt-short',
      '--out',
      join(out, 'x.png'),
      '--severities',
      '6',
    );
    expect(c.stderr).toMatch(/--severities: unknown "6"/);
  });
});
