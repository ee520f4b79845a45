import { describe, expect, it } from 'vitest';
import { canonicalJson, configHash } from '../src/index.js';

describe('canonicalJson / configHash', () => {
  it('sorts keys at every level, so key order does not change the hash', () => {
    const a = { lr: 0.005, optimizer: { eps: 1e-8, wd: 0.01 }, views: [64, { b: 1, a: 2 }] };
    const b = { views: [64, { a: 2, b: 1 }], optimizer: { wd: 0.01, eps: 1e-8 }, lr: 0.005 };
    expect(canonicalJson(a)).toBe(
      '{"lr":0.005,"optimizer":{"eps":1e-8,"wd":0.01},"views":[64,{"a":2,"b":1}]}',
    );
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('distinguishes different values, array order and types', () => {
    expect(configHash({ lr: 0.005 })).not.toBe(configHash({ lr: 0.01 }));
    expect(configHash({ v: [1, 2] })).not.toBe(configHash({ v: [2, 1] }));
    expect(configHash({ k: 1 })).not.toBe(configHash({ k: '1' }));
  });

  it('drops undefined fields and rejects values JSON cannot store', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(() => canonicalJson({ lr: Number.NaN })).toThrow('lr: expected a finite number, got NaN');
    expect(() => canonicalJson({ opt: { f: () => 1 } })).toThrow(
      'opt.f: expected a JSON value, got function',
    );
  });
});
