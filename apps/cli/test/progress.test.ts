import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBar, formatDuration } from '../src/progress.js';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [12.4, '12s'],
    [185, '3m05s'],
    [3720, '1h02m'],
    [Number.POSITIVE_INFINITY, '--'],
  ])('%s s -> %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));
});

describe('createProgressBar (non-terminal output)', () => {
  it('reports count, rate and ETA from the clock', () => {
    let t = 0;
    const out = capture();
    const bar = createProgressBar({
      label: 'bench',
      total: 10,
      stream: out.stream,
      now: () => t,
      nonTtyIntervalMs: 0,
    });
    t = 2000;
    bar.increment(4); // 4 items in 2 s: 2/s, 6 left -> 3 s
    expect(bar.rate()).toBe(2);
    expect(bar.etaSeconds()).toBe(3);
    expect(out.text()).toBe('bench 4/10 | 2.00/s | ETA 3s\n');
  });

  it('throttles lines but always prints completion', () => {
    let t = 0;
    const out = capture();
    const bar = createProgressBar({
      label: 'x',
      total: 3,
      stream: out.stream,
      now: () => t,
      nonTtyIntervalMs: 10_000,
    });
    t = 1000;
    bar.increment();
    t = 2000;
    bar.increment(); // throttled
    t = 3000;
    bar.increment(); // done -> forced
    expect(out.text().trim().split('\n')).toEqual(['x 1/3 | 1.00/s | ETA 2s', 'x 3/3 | 1.00/s | ETA 0s']);
  });

  it('has no ETA before the first item', () => {
    const out = capture();
    const bar = createProgressBar({ label: 'x', total: 3, stream: out.stream, now: () => 0 });
    expect(bar.etaSeconds()).toBe(Number.POSITIVE_INFINITY);
  });
});
