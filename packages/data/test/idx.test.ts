import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, readIdx } from '../src/index.js';

describe('readIdx', () => {
  it.each([
    ['uint8', Uint8Array.from([0, 1, 255, 7, 8, 9])],
    ['int8', Int8Array.from([-128, -1, 0, 1, 127, 5])],
    ['int16', Int16Array.from([-32768, -2, 0, 300, 32767, 12])],
    ['int32', Int32Array.from([-2147483648, -5, 0, 70000, 2147483647, 3])],
    ['float32', Float32Array.from([-1.5, 0, 0.25, 3.5, 1e-3, 7])],
    ['float64', Float64Array.from([-1e300, 0, Math.PI, 2, 3, 4])],
  ] as const)('round-trips big-endian %s data with its shape', (type, data) => {
    const bytes = encodeIdx({ type, shape: [2, 3], data });
    const parsed = readIdx(bytes);
    expect(parsed.type).toBe(type);
    expect(parsed.shape).toEqual([2, 3]);
    expect([...parsed.data]).toEqual([...data]);
    // Multi-byte values are stored big-endian, as the format requires.
    if (type === 'int16') expect([...bytes.subarray(12, 14)]).toEqual([0x80, 0x00]);
  });

  it('reads gzipped files from disk (as Debian ships Fashion-MNIST)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    const bytes = encodeIdx({ type: 'uint8', shape: [3], data: Uint8Array.from([4, 5, 6]) });
    writeFileSync(join(dir, 'a.gz'), gzipSync(bytes));
    writeFileSync(join(dir, 'a'), bytes);
    expect([...readIdx(join(dir, 'a.gz')).data]).toEqual([4, 5, 6]);
    expect([...readIdx(join(dir, 'a')).data]).toEqual([4, 5, 6]);
  });

  it('reports a wrong magic number', () => {
    const bytes = Uint8Array.from([0x50, 0x4b, 0x08, 0x01, 0, 0, 0, 1, 9]);
    expect(() => readIdx(bytes, 'x.idx')).toThrow(
      'x.idx: not an IDX file: expected magic bytes 0x00 0x00 at offset 0, got 0x50 0x4b',
    );
  });

  it('reports an unknown type code with the known ones', () => {
    const bytes = Uint8Array.from([0, 0, 0x0a, 0x01, 0, 0, 0, 1, 9]);
    expect(() => readIdx(bytes)).toThrow(
      'unknown IDX type code 0x0a at offset 2, expected one of 0x08 (uint8), 0x09 (int8), 0x0b (int16)',
    );
  });

  it('reports a payload that does not match the declared dimensions', () => {
    const good = encodeIdx({ type: 'uint8', shape: [2, 2, 2], data: new Uint8Array(8) });
    expect(() => readIdx(good.subarray(0, good.length - 3), 'images')).toThrow(
      'images: IDX header declares uint8 [2,2,2] = 8 bytes of data, but 5 bytes follow the 16-byte header',
    );
  });

  it('reports a truncated header, zero dimensions and a broken gzip stream', () => {
    expect(() => readIdx(Uint8Array.from([0, 0, 8]))).toThrow('expected a 4-byte IDX header, got 3 bytes');
    expect(() => readIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1]))).toThrow(
      'IDX header declares 3 dimensions (16 header bytes), file has 8',
    );
    expect(() => readIdx(Uint8Array.from([0, 0, 8, 0]))).toThrow(
      'IDX header declares 0 dimensions, expected at least 1',
    );
    expect(() => readIdx(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]))).toThrow(
      'gzip header found but the stream does not decompress',
    );
  });
});
