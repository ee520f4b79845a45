// A user's own CLIP (a Hugging Face-layout export, here the tiny random fixtures of @attune/models written by
// export_hf_clip.py): TPT runs on a folder without an inputs_embeds entry point (cut by graph surgery and
// announced) and on a combined model.onnx, and gives what the same weights give with the exported entry point.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadMnist, writeImageFolder } from '@attune/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/bin.js');
const workspace = resolve(__dirname, '../../..');
const HF = join(workspace, 'packages', 'models', 'fixtures', 'hf-clip');
const dir = mkdtempSync(join(tmpdir(), 'attune-run-hf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  writeImageFolder(loadMnist('test'), join(dir, 'digits'), { count: 1, flat: true });
});

function attune(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ATTUNE_PLUGIN_ROOT: workspace, ATTUNE_CACHE_DIR: join(dir, 'cache') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('attune run tpt --model <Hugging Face CLIP folder>', () => {
  it('derives the entry point by graph surgery, says so, and matches the exported one', () => {
    const image = join(dir, 'digits', 'mnist-test-00000.png');
    const run = (folder: string) =>
      attune(
        'run',
        'tpt',
        '--image',
        image,
        '--model',
        join(HF, folder),
        '--classes',
        'zero,seven,nine',
        '--json',
      );
    const derived = run('legacy-ids');
    expect(derived.code, derived.stderr).toBe(0);
    expect(derived.stderr).toMatch(
      /attune: note: .*legacy-ids: config\.json's token ids \(sot 0, eot 2, pad 1\)/,
    );
    expect(derived.stderr).toMatch(
      /attune: note: .*text_model\.onnx has no inputs_embeds entry point: cut one by graph surgery/,
    );
    const exported = run('real-ids');
    const combined = run('combined');
    expect(combined.stderr).toMatch(/is a combined CLIP model: cut its text tower/);
    const [a, b, c] = [derived, exported, combined].map((r) => JSON.parse(r.stdout));
    expect(a.adaptation.steps).toBe(1);
    for (const other of [b, c]) {
      expect(other.prediction).toBe(a.prediction);
      other.top5.forEach((t: { label: string; prob: number }, i: number) => {
        expect(t.label).toBe(a.top5[i].label);
        expect(Math.abs(t.prob - a.top5[i].prob)).toBeLessThan(1e-5);
      });
    }
    // The second run uses the cached cut.
    expect(run('legacy-ids').stderr).toMatch(/using the inputs_embeds entry point cut from it earlier/);
  }, 180_000);
});
