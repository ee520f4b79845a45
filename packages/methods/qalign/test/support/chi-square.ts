// Pearson's chi-square test of homogeneity for two samples of a discrete statistic, with the p-value from
// the regularised upper incomplete gamma function Q(df/2, x/2) (Numerical Recipes §6.2: series for
// x < a + 1, Lentz's continued fraction otherwise).

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const gln = logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    let ap = a;
    for (let n = 0; n < 1000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - gln);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - gln) * h;
}

export interface HomogeneityTest {
  readonly statistic: number;
  readonly df: number;
  readonly p: number;
  /** The bins: [lowest value, highest value] of the statistic, with the two samples' counts. */
  readonly bins: { from: number; to: number; a: number; b: number }[];
}

/**
 * Two samples of an integer statistic; adjacent values are merged into bins holding at least `minPooled`
 * observations of both samples together (so expected counts are >= minPooled / 2), then Pearson's
 * chi-square on the 2 x bins table.
 */
export function chiSquareHomogeneity(
  a: readonly number[],
  b: readonly number[],
  minPooled = 20,
): HomogeneityTest {
  const values = [...new Set([...a, ...b])].sort((x, y) => x - y);
  const countA = new Map<number, number>();
  const countB = new Map<number, number>();
  for (const v of a) countA.set(v, (countA.get(v) ?? 0) + 1);
  for (const v of b) countB.set(v, (countB.get(v) ?? 0) + 1);
  const bins: { from: number; to: number; a: number; b: number }[] = [];
  let open: { from: number; to: number; a: number; b: number } | undefined;
  for (const v of values) {
    open ??= { from: v, to: v, a: 0, b: 0 };
    open.to = v;
    open.a += countA.get(v) ?? 0;
    open.b += countB.get(v) ?? 0;
    if (open.a + open.b >= minPooled) {
      bins.push(open);
      open = undefined;
    }
  }
  if (open) {
    const last = bins[bins.length - 1];
    if (last) {
      last.to = open.to;
      last.a += open.a;
      last.b += open.b;
    } else bins.push(open);
  }
  const na = a.length;
  const nb = b.length;
  let statistic = 0;
  for (const bin of bins) {
    const pooled = bin.a + bin.b;
    const ea = (pooled * na) / (na + nb);
    const eb = (pooled * nb) / (na + nb);
    statistic += (bin.a - ea) ** 2 / ea + (bin.b - eb) ** 2 / eb;
  }
  const df = bins.length - 1;
  return { statistic, df, p: df > 0 ? gammaQ(df / 2, statistic / 2) : 1, bins };
}

/**
 * Two samples of a categorical statistic (e.g. extracted answers, "none" included): categories holding at
 * least `minPooled` observations of both samples together are kept, the rest pooled into one "other"
 * category (merged into the smallest kept one when it is itself too small); Pearson's chi-square on the
 * 2 x categories table.
 */
export function chiSquareCategories(
  a: readonly string[],
  b: readonly string[],
  minPooled = 20,
): { statistic: number; df: number; p: number; categories: { key: string; a: number; b: number }[] } {
  const table = new Map<string, { a: number; b: number }>();
  for (const k of a) table.set(k, { a: (table.get(k)?.a ?? 0) + 1, b: table.get(k)?.b ?? 0 });
  for (const k of b) table.set(k, { a: table.get(k)?.a ?? 0, b: (table.get(k)?.b ?? 0) + 1 });
  const sorted = [...table.entries()].sort(([, x], [, y]) => y.a + y.b - (x.a + x.b));
  const kept = sorted.filter(([, c]) => c.a + c.b >= minPooled).map(([key, c]) => ({ key, ...c }));
  const other = { key: '(other)', a: 0, b: 0 };
  for (const [, c] of sorted.filter(([, c]) => c.a + c.b < minPooled)) {
    other.a += c.a;
    other.b += c.b;
  }
  if (other.a + other.b >= minPooled || kept.length === 0) kept.push(other);
  else if (other.a + other.b > 0) {
    const smallest = kept[kept.length - 1]!;
    smallest.a += other.a;
    smallest.b += other.b;
  }
  const na = a.length;
  const nb = b.length;
  let statistic = 0;
  for (const c of kept) {
    const pooled = c.a + c.b;
    if (pooled === 0) continue;
    const ea = (pooled * na) / (na + nb);
    const eb = (pooled * nb) / (na + nb);
    statistic += (c.a - ea) ** 2 / ea + (c.b - eb) ** 2 / eb;
  }
  const df = kept.filter((c) => c.a + c.b > 0).length - 1;
  return { statistic, df, p: df > 0 ? gammaQ(df / 2, statistic / 2) : 1, categories: kept };
}
