// The flag text of `attune bench` / `attune worker` checked into typed requests before any work.
import { describe, expect, it } from 'vitest';
import { parseBenchFlags, parseMethods, parseWorkerFlags } from '../src/index.js';

describe('parseMethods', () => {
  it('pairs --config entries with their methods', () => {
    expect(parseMethods('a, b,c', ['b={"x":1}', 'c={}'])).toEqual([
      { name: 'a' },
      { name: 'b', config: { x: 1 } },
      { name: 'c', config: {} },
    ]);
    expect(() => parseMethods(',', [])).toThrow(
      '--methods must list method plugins like "tpt,zeroshot", got ","',
    );
    expect(() => parseMethods('a', ['={}'])).toThrow(`--config must look like method='{"key":1}', got "={}"`);
  });
});

describe('parseBenchFlags', () => {
  it('fills the defaults and resolves the paths', () => {
    const r = parseBenchFlags('mnist-digits', { methods: 'knn', seeds: '0,2', out: '/tmp/x-bench' });
    expect(r).toEqual({
      suite: 'mnist-digits',
      methods: [{ name: 'knn' }],
      seeds: [0, 2],
      workers: 1,
      resume: false,
      out: '/tmp/x-bench',
      outDir: '/tmp/x-bench',
      dbPath: '/tmp/x-bench/results.sqlite',
    });
  });

  it('--extend goes with --resume', () => {
    expect(
      parseBenchFlags('s', { resume: true, extend: true, limit: '9', out: '/tmp/x-bench' }),
    ).toMatchObject({
      resume: true,
      extend: true,
      limit: 9,
    });
    expect(() => parseBenchFlags('s', { methods: 'knn', extend: true, out: '/tmp/x-bench' })).toThrow(
      '--extend adds samples to an existing run: it needs --resume',
    );
  });

  it('--config without --methods and a bad queue name are refused', () => {
    expect(() => parseBenchFlags('s', { resume: true, config: ['knn={}'] })).toThrow(
      '--config needs --methods naming the methods it configures',
    );
    expect(() =>
      parseBenchFlags('s', { methods: 'knn', queue: 'redis://h:1', queueName: 'a:b', out: '/tmp/x-bench' }),
    ).toThrow(`--queue-name must be 1-100 letters, digits, '.', '_' or '-' (no ':'), got "a:b"`);
  });

  it('worker flags: --lock-ms has a floor of 500', () => {
    expect(parseWorkerFlags({ queue: 'redis://h:1' })).toEqual({
      url: 'redis://h:1',
      queueName: 'attune-bench',
      lockMs: 30000,
    });
    expect(() => parseWorkerFlags({ queue: 'redis://h:1', lockMs: '10' })).toThrow(
      '--lock-ms must be an integer >= 500, got "10"',
    );
  });
});
