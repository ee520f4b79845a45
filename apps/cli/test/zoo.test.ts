import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/bin.js');
const zooModels = resolve(__dirname, '../../../packages/zoo/models');
const scratch = mkdtempSync(join(tmpdir(), 'attune-zoo-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function attune(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('attune zoo', () => {
  it('ls --json lists every committed model with file sizes and sha256 that match the bytes on disk', () => {
    const { code, stdout } = attune('zoo', 'ls', '--json');
    expect(code).toBe(0);
    const models = JSON.parse(stdout) as {
      id: string;
      files: { path: string; bytes: number; sha256: string }[];
    }[];
    expect(models.map((m) => m.id)).toContain('zoo:mini-clip');
    const clip = models.find((m) => m.id === 'zoo:mini-clip')!;
    const vision = clip.files.find((f) => f.path === 'onnx/vision_model.onnx')!;
    const bytes = readFileSync(join(zooModels, 'mini-clip', vision.path));
    expect(vision.bytes).toBe(bytes.length);
    expect(vision.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('verify passes on the committed models and fails, naming the file, on a tampered copy', () => {
    const ok = attune('zoo', 'verify', 'zoo:mini-clip');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok {3}zoo:mini-clip/);
    const copy = join(scratch, 'mini-clip');
    cpSync(join(zooModels, 'mini-clip'), copy, { recursive: true });
    const tokenizer = join(copy, 'tokenizer.json');
    writeFileSync(tokenizer, readFileSync(tokenizer, 'utf8').replace('photo', 'phot0'));
    const bad = attune('zoo', 'verify', copy);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL/);
    expect(bad.stdout).toMatch(/tokenizer\.json/);
    expect(bad.stderr).toMatch(/^attune: verification failed for /);
  });

  it('names the known models for an unknown id', () => {
    const { code, stderr } = attune('zoo', 'verify', 'zoo:nope');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^attune: unknown zoo model "zoo:nope"\. Known zoo models: zoo:mini-clip/);
  });
});
