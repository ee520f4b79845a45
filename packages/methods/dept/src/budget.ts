// The equal-budget rule of DePT §2: a DePT adapter (m prompt tokens, rank r) trains as many parameters as
// vanilla prompt tuning with L tokens when m·d + s·r + r·d = L·d, i.e. r = (L − m)·d / (s + d). A choice for
// which r is not a whole number cannot meet the budget exactly; the error names the nearest ones that do.

export interface BudgetQuestion {
  /** Vanilla prompt-tuning tokens L (the budget is L·d). */
  readonly budgetTokens: number;
  /** DePT's prompt tokens m (< L). */
  readonly promptTokens: number;
  /** Input length s. */
  readonly maxLength: number;
  /** Embedding width d. */
  readonly dim: number;
}

/** The rank r with m·d + s·r + r·d = L·d, or an error naming the nearest m (and r) that meet it exactly. */
export function rankForBudget(q: BudgetQuestion): number {
  const { budgetTokens: L, promptTokens: m, maxLength: s, dim: d } = q;
  for (const [name, v] of [
    ['budget tokens L', L],
    ['prompt tokens m', m],
    ['max length s', s],
    ['dim d', d],
  ] as const) {
    if (!Number.isInteger(v) || v < (name === 'prompt tokens m' ? 0 : 1)) {
      throw new Error(`equal budget: ${name} must be a positive integer, got ${v}`);
    }
  }
  if (m >= L) {
    throw new Error(
      `equal budget: DePT's prompt tokens m (${m}) must be fewer than prompt tuning's L (${L}); the rest of L·d goes to A and B`,
    );
  }
  const numerator = (L - m) * d;
  if (numerator % (s + d) === 0) return numerator / (s + d);
  const valid = validSplits(q).map(([vm, vr]) => ({ m: vm, r: vr }));
  const nearest = valid
    .sort((a, b) => Math.abs(a.m - m) - Math.abs(b.m - m) || a.m - b.m)
    .slice(0, 3)
    .map((v) => `m=${v.m}, r=${v.r}`);
  throw new Error(
    `equal budget: m=${m} cannot match prompt tuning with L=${L} exactly (s=${s}, d=${d}): r = (L − m)·d/(s + d) = ${(numerator / (s + d)).toFixed(3)} is not a whole number. ` +
      (nearest.length > 0
        ? `Nearest choices that match exactly: ${nearest.join('; ')}`
        : `No m in 0..${L - 1} matches exactly; change L or s (L − m must be a multiple of ${(s + d) / gcd(d, s + d)})`),
  );
}

/** Every (m, r) with 0 ≤ m < L and r ≥ 1 that meets the budget exactly, m descending. */
export function validSplits(q: BudgetQuestion): [number, number][] {
  const { budgetTokens: L, maxLength: s, dim: d } = q;
  const out: [number, number][] = [];
  for (let m = L - 1; m >= 0; m--) {
    const numerator = (L - m) * d;
    if (numerator % (s + d) === 0) out.push([m, numerator / (s + d)]);
  }
  return out;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
