import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { entropy, logSoftmax, tf } from '../src/index.js';
import {
  createRng,
  entropyOfProbs,
  logSoftmaxValues,
  logSumExpValues,
  mean,
  sampleStd,
  softmaxValues,
} from '../src/numerics/index.js';

/** Whether importing a built entry of this package loads tfjs-core (which registers globalThis._tfengine). */
function loadsTfjs(entry: string): boolean {
  const url = new URL(`../dist/${entry}`, import.meta.url).href;
  const script = `await import(${JSON.stringify(url)}); console.log(globalThis._tfengine === undefined ? 'no' : 'yes');`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
  });
  return out.trim() === 'yes';
}

describe('@attune/tensor/numerics', () => {
  it('loads no tfjs (the main entry does)', () => {
    expect(loadsTfjs('numerics/index.js')).toBe(false);
    expect(loadsTfjs('index.js')).toBe(true);
  });

  it('gives the same log-softmax and entropy as the tensor versions', () => {
    const logits = [2.5, -1, 0.25, 7, -Infinity];
    const t = tf.tensor2d([logits]);
    const expected = Array.from(logSoftmax(t).dataSync());
    const got = logSoftmaxValues(logits);
    for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(expected[i]!, 5);
    expect(got[4]).toBe(-Infinity);
    expect(entropyOfProbs(softmaxValues(logits))).toBeCloseTo(entropy(t).dataSync()[0]!, 5);
    tf.dispose(t);
  });

  it('is stable far from zero and refuses NaN and +Infinity by position', () => {
    expect(logSumExpValues([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSumExpValues([-Infinity, -Infinity])).toBe(-Infinity);
    for (const p of softmaxValues([-1000, -1000])) expect(p).toBeCloseTo(0.5, 12);
    expect(() => logSumExpValues([0, Number.NaN])).toThrow('logSumExpValues: value 1 is NaN');
    expect(() => softmaxValues([Infinity])).toThrow('value 0 is +Infinity; expected finite values');
    expect(() => logSoftmaxValues([-Infinity])).toThrow('every value is -Infinity');
    expect(() => entropyOfProbs([-0.1, 1.1])).toThrow('probability 0 is -0.1; expected values >= 0');
    expect(() => logSumExpValues([])).toThrow('expected at least one value, got none');
  });

  it('computes the mean and the sample standard deviation (ddof = 1)', () => {
    expect(mean([])).toBeNull();
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(sampleStd([5])).toBeNull();
    // numpy.std([1, 2, 3, 6], ddof=1) = 2.1602468994692865
    expect(sampleStd([1, 2, 3, 6])).toBeCloseTo(2.1602468994692865, 14);
  });

  it('exports the same seeded Rng as the main entry', async () => {
    const main = await import('../src/index.js');
    expect(main.createRng(5).uniform()).toBe(createRng(5).uniform());
  });
});
