import { describe, expect, it } from 'vitest';
import { checkSeeds, InvalidBenchOptionError, parseSeeds } from '../src/index.js';

describe('parseSeeds', () => {
  it('reads comma-separated integers in order, spaces allowed', () => {
    expect(parseSeeds('0,1,2')).toEqual([0, 1, 2]);
    expect(parseSeeds(' 7 , 3 ')).toEqual([7, 3]);
    expect(parseSeeds('2147483647')).toEqual([2147483647]);
  });

  it.each([
    ['', /--seeds must be comma-separated non-negative integers like "0,1,2", got ""/],
    ['0,a', /not an integer: "a"/],
    ['1,,2', /not an integer: ""/],
    ['-1', /not an integer: "-1"/],
    ['0.5', /not an integer: "0.5"/],
    ['0-4', /not an integer: "0-4"/],
  ])('rejects %j', (text, message) => {
    expect(() => parseSeeds(text)).toThrow(InvalidBenchOptionError);
    expect(() => parseSeeds(text)).toThrow(message);
  });

  it('rejects repeated and out-of-range seeds', () => {
    expect(() => parseSeeds('0,1,0')).toThrow(/seeds must not repeat .* got 0,1,0/);
    expect(() => parseSeeds('2147483648')).toThrow(/integer in \[0, 2147483647\], got 2147483648/);
    expect(() => checkSeeds([])).toThrow(/at least one seed/);
    expect(() => checkSeeds([1.5])).toThrow(/got 1.5/);
  });
});
