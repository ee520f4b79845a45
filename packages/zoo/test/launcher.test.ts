import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', 'scripts', 'zoo-train.mjs');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('pnpm zoo:train launcher', () => {
  it('rejects an unknown model, listing the recipes it knows', () => {
    const r = run(['zoo:mini-gpt']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'no recipe for "zoo:mini-gpt"; known: mini-clip, mini-clip-b, mini-diffusion, mini-lm, mini-lm-t, mini-moe, mini-rm, mini-rm-b, mini-rm-c',
    );
  });

  it('without Debian Python prints the exact apt-get line and installs nothing', () => {
    const r = run(['mini-clip'], { ATTUNE_PYTHON: '/nonexistent/python3' });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('no Python at /nonexistent/python3');
    expect(r.stderr).toContain(
      'apt-get install -y --no-install-recommends python3-torch python3-onnx python3-regex libopenblas0-pthread',
    );
  });
});
