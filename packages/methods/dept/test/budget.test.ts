import { describe, expect, it } from 'vitest';
import { rankForBudget, validSplits } from '../src/budget.js';
import { trainableParameters } from '../src/dept.js';

describe('the equal-budget rule m·d + s·r + r·d = L·d', () => {
  it("gives the paper's example: d = 768, s = 256, L = 100, m = 60 -> r = 30", () => {
    expect(rankForBudget({ budgetTokens: 100, promptTokens: 60, maxLength: 256, dim: 768 })).toBe(30);
    expect(trainableParameters({ promptTokens: 60, rank: 30, maxLength: 256, dim: 768, alpha: 8 })).toBe(
      100 * 768,
    );
  });

  it('every valid split trains exactly L·d parameters', () => {
    const q = { budgetTokens: 40, promptTokens: 0, maxLength: 96, dim: 128 };
    const splits = validSplits(q);
    expect(splits.map(([m]) => m)).toEqual([33, 26, 19, 12, 5]);
    for (const [m, r] of splits) {
      expect(trainableParameters({ promptTokens: m, rank: r, maxLength: 96, dim: 128, alpha: 8 })).toBe(
        40 * 128,
      );
    }
  });

  it('refuses a budget that cannot be met exactly, naming the nearest choices that can', () => {
    expect(() => rankForBudget({ budgetTokens: 40, promptTokens: 24, maxLength: 96, dim: 128 })).toThrow(
      /m=24 cannot match prompt tuning with L=40 exactly .*r = \(L − m\)·d\/\(s \+ d\) = 9\.143 is not a whole number\. Nearest choices that match exactly: m=26, r=8; m=19, r=12; m=33, r=4/,
    );
  });

  it('refuses m >= L and non-integers', () => {
    expect(() => rankForBudget({ budgetTokens: 40, promptTokens: 40, maxLength: 32, dim: 128 })).toThrow(
      /prompt tokens m \(40\) must be fewer than prompt tuning's L \(40\)/,
    );
    expect(() => rankForBudget({ budgetTokens: 40.5, promptTokens: 4, maxLength: 32, dim: 128 })).toThrow(
      /budget tokens L must be a positive integer, got 40.5/,
    );
  });
});
