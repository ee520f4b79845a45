import { describe, expect, it } from 'vitest';
import {
  acceptanceProbability,
  accepts,
  clipReward,
  DEFAULT_LOG_RATIO_CLIP,
  DEFAULT_REWARD_CLIP,
  logAcceptance,
} from '../src/acceptance.js';

const beta = 1;

describe('QAlign acceptance: log a = (r\u2032 \u2212 r)/\u03b2 + log|y| \u2212 log|y\u2032|, clipped to \u00b120', () => {
  it('equal rewards and lengths accept with probability 1', () => {
    const logA = logAcceptance({ reward: 0.3, length: 12 }, { reward: 0.3, length: 12 }, { beta });
    expect(logA).toBe(0);
    expect(acceptanceProbability(logA)).toBe(1);
  });

  it('a reward gain is divided by \u03b2; a loss gives e^{\u0394r/\u03b2}', () => {
    expect(logAcceptance({ reward: 0, length: 10 }, { reward: 2, length: 10 }, { beta: 0.5 })).toBeCloseTo(
      4,
      12,
    );
    const loss = logAcceptance({ reward: 1, length: 10 }, { reward: 0.5, length: 10 }, { beta });
    expect(loss).toBeCloseTo(-0.5, 12);
    expect(acceptanceProbability(loss)).toBeCloseTo(Math.exp(-0.5), 12);
  });

  it('the length ratio |y|/|y\u2032| enters as log|y| \u2212 log|y\u2032|', () => {
    const longer = logAcceptance({ reward: 0, length: 10 }, { reward: 0, length: 20 }, { beta });
    expect(longer).toBeCloseTo(Math.log(10 / 20), 12);
    expect(acceptanceProbability(longer)).toBeCloseTo(0.5, 12);
    const shorter = logAcceptance({ reward: 0, length: 20 }, { reward: 0, length: 10 }, { beta });
    expect(shorter).toBeCloseTo(Math.log(2), 12);
    expect(acceptanceProbability(shorter)).toBe(1);
    // Rewards and lengths add in log space.
    expect(logAcceptance({ reward: 0, length: 30 }, { reward: 1, length: 10 }, { beta: 2 })).toBeCloseTo(
      0.5 + Math.log(3),
      12,
    );
  });

  it('clips the log ratio at \u00b120 (quest logratio_clamp) and at a configured bound', () => {
    expect(DEFAULT_LOG_RATIO_CLIP).toBe(20);
    expect(logAcceptance({ reward: -40, length: 5 }, { reward: 40, length: 5 }, { beta: 0.1 })).toBe(20);
    const down = logAcceptance({ reward: 40, length: 5 }, { reward: -40, length: 5 }, { beta: 0.1 });
    expect(down).toBe(-20);
    expect(acceptanceProbability(down)).toBeCloseTo(Math.exp(-20), 20);
    expect(logAcceptance({ reward: 0, length: 5 }, { reward: 9, length: 5 }, { beta, logRatioClip: 3 })).toBe(
      3,
    );
  });

  it('clips rewards at \u00b140 (quest RewardModel clamp) and keeps NaN', () => {
    expect(DEFAULT_REWARD_CLIP).toBe(40);
    expect(clipReward(123)).toBe(40);
    expect(clipReward(-1e9)).toBe(-40);
    expect(clipReward(Number.POSITIVE_INFINITY)).toBe(40);
    expect(clipReward(3.5)).toBe(3.5);
    expect(clipReward(7, 5)).toBe(5);
    expect(clipReward(Number.NaN)).toBeNaN();
    // A clipped reward gap of 80 at beta 1 is then clipped again to 20 in the log ratio.
    const a = logAcceptance(
      { reward: clipReward(-500), length: 4 },
      { reward: clipReward(500), length: 4 },
      { beta },
    );
    expect(a).toBe(20);
  });

  it('a NaN proposal reward rejects the step; a NaN current reward is left at once', () => {
    const nan = logAcceptance({ reward: 1, length: 5 }, { reward: Number.NaN, length: 5 }, { beta });
    expect(nan).toBeNaN();
    expect(acceptanceProbability(nan)).toBe(0);
    expect(accepts(nan, 0)).toBe(false);
    const leave = logAcceptance({ reward: Number.NaN, length: 5 }, { reward: -40, length: 50 }, { beta });
    expect(leave).toBe(20);
    expect(accepts(leave, 0.999999)).toBe(true);
  });

  it('accepts exactly when u < min(1, e^{log a})', () => {
    const logA = Math.log(0.25);
    expect(accepts(logA, 0.2499)).toBe(true);
    expect(accepts(logA, 0.2501)).toBe(false);
    expect(accepts(0, 0.999999)).toBe(true);
  });

  it('refuses \u03b2 <= 0 and lengths below 1', () => {
    expect(() => logAcceptance({ reward: 0, length: 1 }, { reward: 0, length: 1 }, { beta: 0 })).toThrow(
      /beta must be > 0/,
    );
    expect(() => logAcceptance({ reward: 0, length: 0 }, { reward: 0, length: 1 }, { beta })).toThrow(
      /current length must be an integer >= 1/,
    );
  });
});
