import { describe, expect, it } from 'vitest';
import { planarToInterleaved } from '../src/index.js';

describe('planarToInterleaved', () => {
  it('turns [C,H,W] into [H,W,C]', () => {
    // 2 channels of a 1x3 image: R = 1,2,3 and G = 10,20,30.
    const out = planarToInterleaved({ width: 3, height: 1, channels: 2, data: new Float32Array([1, 2, 3, 10, 20, 30]) });
    expect(Array.from(out)).toEqual([1, 10, 2, 20, 3, 30]);
  });
});
