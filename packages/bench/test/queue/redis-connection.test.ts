import { describe, expect, it } from 'vitest';
import {
  InvalidBenchOptionError,
  jobIdFor,
  queueConnection,
  type RunSetup,
  redactUrl,
} from '../../src/index.js';

describe('--queue URLs', () => {
  it('accepts redis:// and rediss://, takes the password from the URL or $ATTUNE_REDIS_PASSWORD (URL wins)', () => {
    expect(queueConnection('redis://10.0.0.5:6379', {})).toMatchObject({
      url: 'redis://10.0.0.5:6379',
      maxRetriesPerRequest: null,
    });
    expect(queueConnection('redis://10.0.0.5:6379', {}).password).toBeUndefined();
    expect(queueConnection('rediss://cache.example:6380', { ATTUNE_REDIS_PASSWORD: 's3cret' }).password).toBe(
      's3cret',
    );
    expect(queueConnection('redis://:inurl@h:1', { ATTUNE_REDIS_PASSWORD: 'env' }).password).toBeUndefined();
    // Reconnects forever, backing off to 2 s: a restarted Redis comes back.
    const { retryStrategy } = queueConnection('redis://h:1', {});
    expect([1, 5, 100].map(retryStrategy)).toEqual([100, 500, 2000]);
  });

  it('rejects other schemes and malformed URLs, naming what would be right, never echoing a password', () => {
    expect(() => queueConnection('localhost:6379', {})).toThrow(InvalidBenchOptionError);
    expect(() => queueConnection('http://:pw@h:1', {})).toThrow(
      '--queue must start with redis:// or rediss:// (TLS), got "http://" in http://:***@h:1',
    );
    expect(() => queueConnection('not a url', {})).toThrow(/redis:\/\/127\.0\.0\.1:6379/);
    expect(redactUrl('redis://user:pw@h:1/2')).toBe('redis://user:***@h:1/2');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
  });
});

describe('job ids', () => {
  const setup = { runId: 'run-1', sampleListSha256: 'ab'.repeat(32) } as RunSetup;
  const knn = { name: 'knn', config: { k: 3 }, configHash: 'cd'.repeat(32) };
  it('are the same for the same (run, list, index, method, seed) and differ otherwise; BullMQ-safe', () => {
    const id = jobIdFor(setup, knn, 0, 4, 't10k-1/clean');
    expect(jobIdFor(setup, knn, 0, 4, 't10k-1/clean')).toBe(id);
    expect(id).toMatch(/^run-1\.[0-9a-f]{32}$/);
    const others = [
      jobIdFor(setup, knn, 1, 4, 't10k-1/clean'),
      jobIdFor(setup, knn, 0, 5, 't10k-1/clean'),
      jobIdFor(setup, { ...knn, configHash: 'ef'.repeat(32) }, 0, 4, 't10k-1/clean'),
      jobIdFor({ ...setup, runId: 'run-2' }, knn, 0, 4, 't10k-1/clean'),
      jobIdFor({ ...setup, sampleListSha256: '00'.repeat(32) }, knn, 0, 4, 't10k-1/clean'),
    ];
    expect(new Set([id, ...others]).size).toBe(6);
  });
});
