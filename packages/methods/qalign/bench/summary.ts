// Accuracy-vs-compute curves from the stored records, as a markdown table and SVG plots (vega-lite, rendered
// headless by @attune/bench). Baselines at N use the first N of the stored samples; QAlign at N uses the
// chain's first N steps, i.e. a vote over its N + 1 states (y0 included).
import { createRng, sampleStd } from '@attune/tensor/numerics';
import type { TopLevelSpec } from 'vega-lite';
import type { Problem } from '../src/problems.js';
import { bestOfN, majorityVote, weightedMajorityVote } from '../src/votes.js';
import { type HeadroomRow, headroom, type RewardRanking, rewardRanking } from './headroom.js';
import type { BenchRecord, ChainRecord, GreedyRecord, SamplesRecord } from './store.js';

export const METHODS = ['greedy', 'majority-vote', 'best-of-n', 'weighted-majority-vote', 'qalign'] as const;
export type BenchMethod = (typeof METHODS)[number];

export const METHOD_LABELS: Record<BenchMethod, string> = {
  greedy: 'greedy',
  'majority-vote': 'majority vote',
  'best-of-n': 'best-of-n',
  'weighted-majority-vote': 'weighted MV',
  qalign: 'QAlign',
};

export interface CurvePoint {
  readonly method: BenchMethod;
  readonly n: number;
  /** Accuracy per seed over the problems that have a record (seed order as given). */
  readonly perSeed: number[];
  readonly mean: number;
  /** Sample std over seeds (n − 1); null with one seed. */
  readonly std: number | null;
  /**
   * 95 % interval of the mean: percentile bootstrap over problems (each problem's accuracy averaged over the
   * seeds, 2000 resamples, a fixed stream), so it covers which problems were drawn as well as the seeds.
   */
  readonly ci95: [number, number];
  /** Records behind the point (problems × seeds). */
  readonly records: number;
  /** Means per problem: LM tokens generated, reward-model evaluations and tokens read, FLOPs. */
  readonly tokens: number;
  readonly rewardEvaluations: number;
  readonly lmFlops: number;
  readonly rewardFlops: number;
  readonly flops: number;
  /** QAlign: mean acceptance rate over the first n steps. */
  readonly acceptanceRate: number | null;
}

export interface BenchSummary {
  readonly ns: number[];
  readonly seeds: number[];
  readonly problems: number;
  readonly complete: boolean;
  readonly points: CurvePoint[];
  /** pass@N of the samples and of the chain's states, per N. */
  readonly headroom: HeadroomRow[];
  /** The reward model's AUC on the stored samples; null without samples. */
  readonly rewardRanking: RewardRanking | null;
  /**
   * QAlign minus each baseline at the largest N both have, paired by problem (accuracy points as fractions),
   * with a 95 % bootstrap interval over problems: does QAlign beat it beyond the problem-sampling noise?
   */
  readonly comparisons: Comparison[];
  /** QAlign's cost per chain step (after y0), means over chains; null without chains. */
  readonly stepCost: StepCost | null;
  readonly parameters: { lm: number; reward: number };
  readonly settings: Record<string, unknown>;
}

export interface Comparison {
  readonly versus: BenchMethod;
  readonly n: number;
  readonly difference: number;
  readonly ci95: [number, number];
}

export interface StepCost {
  /** LM tokens generated per step (the suffix after index i). */
  readonly generatedTokens: number;
  /** LM tokens computed before sampling per step (1 with the cache; null for stores written before it). */
  readonly prefillTokens: number | null;
  /** Reward-model tokens read per step (prompt + the whole proposal). */
  readonly rewardTokens: number;
  /** FLOPs per step: 2 · params · (generated + prefill) for the LM, 2 · params · read for the reward model. */
  readonly lmFlops: number;
  readonly rewardFlops: number;
}

const BOOTSTRAP = 2000;

/** Percentile bootstrap of the mean of `values` (one per problem); a fixed stream, so reports reproduce. */
export function bootstrapMean(values: readonly number[], seed = 0): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const rng = createRng(seed);
  const means = new Float64Array(BOOTSTRAP);
  for (let b = 0; b < BOOTSTRAP; b++) {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[rng.int(0, values.length)]!;
    means[b] = s / values.length;
  }
  means.sort();
  return [means[Math.floor(0.025 * BOOTSTRAP)]!, means[Math.ceil(0.975 * BOOTSTRAP) - 1]!];
}

/** Each problem's accuracy averaged over its seeds. */
function perProblem(outcomes: readonly Outcome[]): Map<string, number> {
  const acc = new Map<string, { hits: number; n: number }>();
  for (const o of outcomes) {
    const e = acc.get(o.problem) ?? { hits: 0, n: 0 };
    e.hits += o.correct ? 1 : 0;
    e.n += 1;
    acc.set(o.problem, e);
  }
  return new Map([...acc].map(([k, e]) => [k, e.hits / e.n]));
}

/** 1, 2, 4, ... up to maxN (maxN itself included when it is not a power of two). */
export function powersOfTwo(maxN: number): number[] {
  const ns: number[] = [];
  for (let n = 1; n <= maxN; n *= 2) ns.push(n);
  if (ns[ns.length - 1] !== maxN) ns.push(maxN);
  return ns;
}

const sum = (xs: readonly number[], n = xs.length) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  return s;
};
const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : sum(xs) / xs.length);

interface Outcome {
  problem: string;
  correct: boolean;
  tokens: number;
  rewardEvaluations: number;
  rewardTokens: number;
  acceptance?: number;
}

function answerOf(a: string | null): string | undefined {
  return a ?? undefined;
}

function sampleOutcome(
  method: BenchMethod,
  r: SamplesRecord,
  n: number,
  truth: string,
  betaWmv: number,
): Outcome {
  const answers = r.answers.map(answerOf);
  const rewards = r.rewards.map((x) => (x === null ? Number.NaN : x));
  const vote =
    method === 'best-of-n'
      ? bestOfN(answers, rewards, n)
      : method === 'weighted-majority-vote'
        ? weightedMajorityVote(answers, rewards, betaWmv, n)
        : majorityVote(answers, n);
  const usesReward = method !== 'majority-vote';
  return {
    problem: r.problem,
    correct: vote.answer === truth,
    tokens: sum(r.tokens, n),
    rewardEvaluations: usesReward ? r.rewardTokens.slice(0, n).filter((t) => t > 0).length : 0,
    rewardTokens: usesReward ? sum(r.rewardTokens, n) : 0,
  };
}

function chainOutcome(r: ChainRecord, n: number, truth: string): Outcome {
  const vote = majorityVote(r.answers.map(answerOf), n + 1);
  return {
    problem: r.problem,
    correct: vote.answer === truth,
    tokens: sum(r.tokens, n + 1),
    rewardEvaluations: r.rewardTokens.slice(0, n + 1).filter((t) => t > 0).length,
    rewardTokens: sum(r.rewardTokens, n + 1),
    acceptance: sum(r.accepted, n) / n,
  };
}

export function summarize(
  records: readonly BenchRecord[],
  problems: readonly Problem[],
  options: {
    seeds: readonly number[];
    maxN: number;
    betaWmv: number;
    parameters: { lm: number; reward: number };
    settings?: Record<string, unknown>;
  },
): BenchSummary {
  const truth = new Map(problems.map((p) => [p.id, p.answer]));
  const ns = powersOfTwo(options.maxN);
  const allGreedy = records.filter((r): r is GreedyRecord => r.kind === 'greedy' && truth.has(r.problem));
  const allSamples = records.filter((r): r is SamplesRecord => r.kind === 'samples' && truth.has(r.problem));
  const allChains = records.filter((r): r is ChainRecord => r.kind === 'chain' && truth.has(r.problem));
  const expected = problems.length * (1 + 2 * options.seeds.length);
  const complete = allGreedy.length + allSamples.length + allChains.length === expected;
  // A partial run compares the methods on the same (problem, seed) units only: those that have both the
  // ancestral samples and a chain (and greedy on their problems), so no curve averages over other problems.
  const unit = (r: { problem: string; seed: number }) => `${r.problem}\u0000${r.seed}`;
  const chainUnits = new Set(allChains.map(unit));
  const sampleUnits = new Set(allSamples.map(unit));
  const samples = complete ? allSamples : allSamples.filter((r) => chainUnits.has(unit(r)));
  const chains = complete ? allChains : allChains.filter((r) => sampleUnits.has(unit(r)));
  const covered = new Set(samples.map((r) => r.problem));
  const greedy = complete ? allGreedy : allGreedy.filter((r) => covered.has(r.problem));
  const seedsCovered = options.seeds.filter((s) => samples.some((r) => r.seed === s));
  const points: CurvePoint[] = [];
  /** Per-problem accuracies behind each point, for the paired comparisons. */
  const problemAccuracy = new Map<string, Map<string, number>>();
  const point = (method: BenchMethod, n: number, bySeed: Map<number, Outcome[]>): CurvePoint => {
    const seeds = options.seeds.filter((s) => (bySeed.get(s)?.length ?? 0) > 0);
    const outcomes = seeds.flatMap((s) => bySeed.get(s)!);
    const perSeed = seeds.map((s) => mean(bySeed.get(s)!.map((o) => (o.correct ? 1 : 0))));
    const tokens = mean(outcomes.map((o) => o.tokens));
    const rewardTokens = mean(outcomes.map((o) => o.rewardTokens));
    const lmFlops = 2 * options.parameters.lm * tokens;
    const rewardFlops = 2 * options.parameters.reward * rewardTokens;
    const acceptance = outcomes.filter((o) => o.acceptance !== undefined).map((o) => o.acceptance!);
    const byProblem = perProblem(outcomes);
    problemAccuracy.set(`${method}|${n}`, byProblem);
    return {
      method,
      n,
      perSeed,
      mean: mean(perSeed),
      std: sampleStd(perSeed),
      ci95: bootstrapMean([...byProblem.values()]),
      records: outcomes.length,
      tokens,
      rewardEvaluations: mean(outcomes.map((o) => o.rewardEvaluations)),
      lmFlops,
      rewardFlops,
      flops: lmFlops + rewardFlops,
      acceptanceRate: acceptance.length > 0 ? mean(acceptance) : null,
    };
  };
  if (greedy.length > 0) {
    const outcomes = greedy.map((r) => ({
      problem: r.problem,
      correct: r.answer === truth.get(r.problem),
      tokens: r.tokens,
      rewardEvaluations: 0,
      rewardTokens: 0,
    }));
    // Greedy does not depend on the seed: one value, reported once.
    points.push({ ...point('greedy', 1, new Map([[options.seeds[0]!, outcomes]])), std: null });
  }
  for (const method of ['majority-vote', 'best-of-n', 'weighted-majority-vote'] as const) {
    if (samples.length === 0) break;
    for (const n of ns) {
      const bySeed = new Map<number, Outcome[]>();
      for (const r of samples) {
        if (r.answers.length < n) continue;
        const list = bySeed.get(r.seed) ?? [];
        list.push(sampleOutcome(method, r, n, truth.get(r.problem)!, options.betaWmv));
        bySeed.set(r.seed, list);
      }
      points.push(point(method, n, bySeed));
    }
  }
  if (chains.length > 0) {
    for (const n of ns) {
      const bySeed = new Map<number, Outcome[]>();
      for (const r of chains) {
        if (r.accepted.length < n) continue;
        const list = bySeed.get(r.seed) ?? [];
        list.push(chainOutcome(r, n, truth.get(r.problem)!));
        bySeed.set(r.seed, list);
      }
      points.push(point('qalign', n, bySeed));
    }
  }
  const comparisons: Comparison[] = [];
  for (const versus of ['majority-vote', 'weighted-majority-vote', 'best-of-n'] as const) {
    const both = ns.filter((n) => {
      const a = points.find((p) => p.method === 'qalign' && p.n === n);
      const b = points.find((p) => p.method === versus && p.n === n);
      return a && b && !Number.isNaN(a.mean) && !Number.isNaN(b.mean);
    });
    const n = both[both.length - 1];
    if (n === undefined) continue;
    const q = problemAccuracy.get(`qalign|${n}`)!;
    const v = problemAccuracy.get(`${versus}|${n}`)!;
    const diffs = [...q.keys()].filter((k) => v.has(k)).map((k) => q.get(k)! - v.get(k)!);
    comparisons.push({ versus, n, difference: mean(diffs), ci95: bootstrapMean(diffs, 1) });
  }
  const stepCost = (() => {
    if (chains.length === 0) return null;
    const perStep = (f: (r: ChainRecord) => readonly number[] | undefined) => {
      const all = chains.map(f);
      if (all.some((x) => x === undefined)) return null;
      return mean(all.map((x) => sum(x!.slice(1)) / Math.max(1, x!.length - 1)));
    };
    const generated = perStep((r) => r.tokens)!;
    const prefill = perStep((r) => r.prefillTokens);
    const read = perStep((r) => r.rewardTokens)!;
    return {
      generatedTokens: generated,
      prefillTokens: prefill,
      rewardTokens: read,
      lmFlops: 2 * options.parameters.lm * (generated + (prefill ?? 0)),
      rewardFlops: 2 * options.parameters.reward * read,
    };
  })();
  return {
    ns,
    seeds: complete ? [...options.seeds] : seedsCovered,
    problems: complete ? problems.length : covered.size,
    complete,
    points,
    headroom: headroom(samples, chains, truth, ns),
    rewardRanking: samples.length > 0 ? rewardRanking(samples, truth) : null,
    comparisons,
    stepCost,
    parameters: options.parameters,
    settings: options.settings ?? {},
  };
}

const pct = (x: number) => (100 * x).toFixed(1);
function accuracyCell(p: CurvePoint | undefined): string {
  if (!p || Number.isNaN(p.mean)) return '—';
  const interval = p.ci95 && !Number.isNaN(p.ci95[0]) ? ` [${pct(p.ci95[0])}, ${pct(p.ci95[1])}]` : '';
  return p.std === null ? `${pct(p.mean)}${interval}` : `${pct(p.mean)} ± ${pct(p.std)}${interval}`;
}
const signedPct = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}`;
/** FLOPs in scientific notation with 2 significant digits, e.g. 4.3e9. */
export function formatFlops(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const [m, e] = x.toExponential(1).split('e');
  return `${m}e${Number(e)}`;
}

export function renderMarkdown(
  summary: BenchSummary,
  title = 'QAlign vs. best-of-n and majority votes',
): string {
  const get = (method: BenchMethod, n: number) =>
    summary.points.find((p) => p.method === method && p.n === n);
  const greedy = summary.points.find((p) => p.method === 'greedy');
  const seedText = summary.seeds.length > 1 ? `mean ± std over ${summary.seeds.length} seeds` : '1 seed';
  const lines: string[] = [];
  lines.push(`# ${title}`);
  lines.push('');
  lines.push(
    `${summary.problems} problems, seeds ${summary.seeds.join(', ')}${summary.complete ? '' : ' — **partial run**: only the (problem, seed) units with both the samples and a chain so far (resume to complete it)'}. ` +
      `Settings: ${Object.entries(summary.settings)
        .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(', ')}.`,
  );
  lines.push('');
  lines.push(`## Accuracy (%), ${seedText}`);
  lines.push('');
  lines.push(
    `N = samples (best-of-n, majority votes) or chain steps (QAlign votes over its N + 1 states). Each cell: mean ± std over seeds [95 % interval: bootstrap over problems]. Greedy: ${accuracyCell(greedy)} % (${greedy ? greedy.tokens.toFixed(1) : '—'} tokens, ${greedy ? formatFlops(greedy.flops) : '—'} FLOPs per problem).`,
  );
  lines.push('');
  const sampleMethods = ['majority-vote', 'best-of-n', 'weighted-majority-vote', 'qalign'] as const;
  lines.push(`| N | ${sampleMethods.map((m) => METHOD_LABELS[m]).join(' | ')} |`);
  lines.push(`|---:|${sampleMethods.map(() => '---:').join('|')}|`);
  for (const n of summary.ns) {
    lines.push(`| ${n} | ${sampleMethods.map((m) => accuracyCell(get(m, n))).join(' | ')} |`);
  }
  lines.push('');
  if (summary.comparisons.length > 0) {
    lines.push(
      '**QAlign against each baseline** at the largest N both have, paired by problem (accuracy points, 95 % bootstrap interval over problems):',
    );
    lines.push('');
    for (const c of summary.comparisons) {
      lines.push(
        `- vs ${METHOD_LABELS[c.versus]} at N = ${c.n}: ${signedPct(c.difference)} points [${signedPct(c.ci95[0])}, ${signedPct(c.ci95[1])}]`,
      );
    }
    lines.push('');
  }
  lines.push(...renderHeadroom(summary));
  if (summary.stepCost) {
    const c = summary.stepCost;
    lines.push('## QAlign: cost per step');
    lines.push('');
    lines.push(
      `Per chain step (means over chains and steps after y0): the LM generates ${c.generatedTokens.toFixed(1)} tokens (the suffix after index i) and computes ` +
        `${c.prefillTokens === null ? 'the whole kept prefix again (store written before the cache)' : `${c.prefillTokens.toFixed(1)} token(s) before sampling (the kept prefix comes from the current state's key/value cache; only its last token is fed)`}; ` +
        `the reward model reads ${c.rewardTokens.toFixed(1)} tokens (prompt + the whole proposal). FLOPs per step: LM ${formatFlops(c.lmFlops)} + reward model ${formatFlops(c.rewardFlops)}. ` +
        'Wall time per step and the sampler against a bare onnxruntime loop: `results/sampler.md` (`pnpm bench:sampler`).',
    );
    lines.push('');
  }
  lines.push('## Compute per problem (means)');
  lines.push('');
  lines.push(
    `FLOPs = 2 · parameters · tokens (LM: ${summary.parameters.lm.toLocaleString('en-US')} parameters, tokens generated; reward model: ${summary.parameters.reward.toLocaleString('en-US')} parameters, tokens read = BOS + prompt + completion + EOS per evaluation). Majority vote uses no reward model; best-of-n and weighted MV score the same samples.`,
  );
  lines.push('');
  lines.push(
    '| N | samples: LM tokens | samples: LM FLOPs | BoN/WMV: RM evals | BoN/WMV: total FLOPs | QAlign: LM tokens | QAlign: RM evals | QAlign: total FLOPs | QAlign: acceptance |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of summary.ns) {
    const s = get('best-of-n', n);
    const mv = get('majority-vote', n);
    const q = get('qalign', n);
    lines.push(
      `| ${n} | ${mv ? mv.tokens.toFixed(1) : '—'} | ${mv ? formatFlops(mv.lmFlops) : '—'} | ${s ? s.rewardEvaluations.toFixed(0) : '—'} | ${s ? formatFlops(s.flops) : '—'} | ${q ? q.tokens.toFixed(1) : '—'} | ${q ? q.rewardEvaluations.toFixed(0) : '—'} | ${q ? formatFlops(q.flops) : '—'} | ${q?.acceptanceRate != null ? pct(q.acceptanceRate) : '—'}${q?.acceptanceRate != null ? ' %' : ''} |`,
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function renderHeadroom(summary: BenchSummary): string[] {
  const ranking = summary.rewardRanking;
  if (!ranking) return [];
  const lines = ['## Headroom and the reward model', ''];
  lines.push(
    `pass@N: some of the first N samples (QAlign: of the chain's N + 1 states) has the right answer — the ceiling of any rule that picks one of them. ` +
      `Single samples are right ${pct(ranking.sampleAccuracy)} % of the time. ` +
      `The reward model's AUC, correct against incorrect samples: ${ranking.pooledAuc.toFixed(3)} pooled over all samples, ` +
      `${ranking.withinProblemAuc.toFixed(3)} within a problem (mean over the ${ranking.mixedUnits} problem × seed units that have both; the ranking best-of-n uses).`,
  );
  lines.push('');
  lines.push('| N | samples: pass@N | QAlign states: pass@N |');
  lines.push('|---:|---:|---:|');
  for (const row of summary.headroom) {
    lines.push(
      `| ${row.n} | ${Number.isNaN(row.passAtN) ? '—' : pct(row.passAtN)} | ${row.chainPassAtN === null ? '—' : pct(row.chainPassAtN)} |`,
    );
  }
  lines.push('');
  return lines;
}

interface PlotRow {
  method: string;
  n: number;
  flops: number;
  error: number;
  lo: number | null;
  hi: number | null;
}

function plotRows(summary: BenchSummary): PlotRow[] {
  return summary.points
    .filter((p) => !Number.isNaN(p.mean))
    .map((p) => {
      // Error bars: the 95 % bootstrap interval over problems (as the tables give it).
      const error = 100 * (1 - p.mean);
      const ok = p.ci95 && !Number.isNaN(p.ci95[0]);
      return {
        method: METHOD_LABELS[p.method],
        n: p.n,
        flops: p.flops,
        error,
        lo: ok ? 100 * (1 - p.ci95[1]) : null,
        hi: ok ? 100 * (1 - p.ci95[0]) : null,
      };
    });
}

/** Error (1 − accuracy) against FLOPs per problem (log x), one line per method, as the QAlign paper plots it. */
export function errorPlotSpec(summary: BenchSummary, x: 'flops' | 'n' = 'flops'): TopLevelSpec {
  const methods = METHODS.map((m) => METHOD_LABELS[m]);
  const seeds = summary.seeds.length;
  const yTitle = 'error (%) = 100 − accuracy';
  const xTitle =
    x === 'flops' ? 'FLOPs per problem (LM generation + reward model)' : 'N (samples / chain steps)';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Arithmetic error vs ${x === 'flops' ? 'compute' : 'N'}: QAlign and baselines`,
      subtitle: `${summary.problems} held-out problems · ${seeds > 1 ? `mean over ${seeds} seeds` : '1 seed'}, bars: 95 % bootstrap interval over problems${summary.complete ? '' : ' · partial run'}`,
      anchor: 'start',
    },
    width: 520,
    height: 320,
    data: { values: plotRows(summary) as unknown as Record<string, unknown>[] },
    encoding: {
      x: {
        field: x,
        type: 'quantitative',
        scale: { type: 'log', ...(x === 'n' ? { base: 2 } : {}) },
        title: xTitle,
        axis: x === 'flops' ? { format: '.0e' } : { values: summary.ns },
      },
      color: { field: 'method', type: 'nominal', sort: methods, title: 'method' },
    },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: { y: { field: 'error', type: 'quantitative', title: yTitle, scale: { zero: false } } },
      },
      {
        transform: [{ filter: 'isValid(datum.lo)' }],
        mark: { type: 'errorbar', ticks: { size: 4 } },
        encoding: { y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' } },
      },
    ],
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif' },
  };
}
