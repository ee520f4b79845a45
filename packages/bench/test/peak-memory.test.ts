import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsxExecArgv } from './helpers.js';

const MiB = 2 ** 20;
const probe = fileURLToPath(new URL('./fixtures/peak-probe.ts', import.meta.url));

describe('peak RSS per sample', () => {
  it.runIf(process.platform === 'linux')(
    'sees a 300 MB transient allocation, and the reset brings the high-water mark back to the current RSS',
    () => {
      const out = JSON.parse(
        execFileSync(process.execPath, ['--expose-gc', ...tsxExecArgv, probe], { encoding: 'utf8' }),
      ) as Record<string, number | string>;
      const n = (k: string) => out[k] as number;
      expect(out.scope).toBe('sample');
      expect(n('afterAlloc') - n('before')).toBeGreaterThan(290 * MiB);
      // Freeing does not lower a high-water mark; the reset does.
      expect(n('stillHigh')).toBeGreaterThanOrEqual(n('afterAlloc'));
      expect(n('afterAlloc') - n('afterReset')).toBeGreaterThan(250 * MiB);
      expect(Math.abs(n('afterReset') - n('rss'))).toBeLessThan(8 * MiB);
    },
  );
});

describe('collectGarbage', () => {
  it('runs a full collection without --expose-gc, so earlier garbage stays out of the next sample', async () => {
    const { collectGarbage } = await import('../src/index.js');
    let garbage: { i: number }[] | null = Array.from({ length: 1_000_000 }, (_, i) => ({ i }));
    const held = process.memoryUsage().heapUsed;
    expect(garbage.length).toBe(1_000_000);
    garbage = null;
    expect(collectGarbage()).toBe(true);
    expect(held - process.memoryUsage().heapUsed).toBeGreaterThan(20 * MiB);
  });
});
