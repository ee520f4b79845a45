// Accuracy-vs-compute curves from the stored records, as a markdown table and SVG plots (vega-lite, rendered
// headless by @attune/bench). Baselines at N use the first N of the stored samples; QAlign at N uses the
// chain's first N steps, i.e. a vote over its N + 1 states (y0 included).
import { sampleStd } from '@attune/tensor/numerics';
import type { TopLevelSpec } from 'vega-lite';
import { bestOfN, majorityVote, weightedMajorityVote } from '../src/votes.js';
import { type HeadroomRow, headroom, type RewardRanking, rewardRanking } from './headroom.js';
import type { Problem } from './problems.js';
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
  readonly parameters: { lm: number; reward: number };
  readonly settings: Record<string, unknown>;
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
    correct: vote.answer === truth,
    tokens: sum(r.tokens, n),
    rewardEvaluations: usesReward ? r.rewardTokens.slice(0, n).filter((t) => t > 0).length : 0,
    rewardTokens: usesReward ? sum(r.rewardTokens, n) : 0,
  };
}

function chainOutcome(r: ChainRecord, n: number, truth: string): Outcome {
  const vote = majorityVote(r.answers.map(answerOf), n + 1);
  return {
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
  const point = (method: BenchMethod, n: number, bySeed: Map<number, Outcome[]>): CurvePoint => {
    const seeds = options.seeds.filter((s) => (bySeed.get(s)?.length ?? 0) > 0);
    const outcomes = seeds.flatMap((s) => bySeed.get(s)!);
    const perSeed = seeds.map((s) => mean(bySeed.get(s)!.map((o) => (o.correct ? 1 : 0))));
    const tokens = mean(outcomes.map((o) => o.tokens));
    const rewardTokens = mean(outcomes.map((o) => o.rewardTokens));
    const lmFlops = 2 * options.parameters.lm * tokens;
    const rewardFlops = 2 * options.parameters.reward * rewardTokens;
    const acceptance = outcomes.filter((o) => o.acceptance !== undefined).map((o) => o.acceptance!);
    return {
      method,
      n,
      perSeed,
      mean: mean(perSeed),
      std: sampleStd(perSeed),
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
  return {
    ns,
    seeds: complete ? [...options.seeds] : seedsCovered,
    problems: complete ? problems.length : covered.size,
    complete,
    points,
    headroom: headroom(samples, chains, truth, ns),
    rewardRanking: samples.length > 0 ? rewardRanking(samples, truth) : null,
    parameters: options.parameters,
    settings: options.settings ?? {},
  };
}

const pct = (x: number) => (100 * x).toFixed(1);
function accuracyCell(p: CurvePoint | undefined): string {
  if (!p || Number.isNaN(p.mean)) return '—';
  return p.std === null ? pct(p.mean) : `${pct(p.mean)} ± ${pct(p.std)}`;
}
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
    `N = samples (best-of-n, majority votes) or chain steps (QAlign votes over its N + 1 states). Greedy: ${accuracyCell(greedy)} % (${greedy ? greedy.tokens.toFixed(1) : '—'} tokens, ${greedy ? formatFlops(greedy.flops) : '—'} FLOPs per problem).`,
  );
  lines.push('');
  const sampleMethods = ['majority-vote', 'best-of-n', 'weighted-majority-vote', 'qalign'] as const;
  lines.push(`| N | ${sampleMethods.map((m) => METHOD_LABELS[m]).join(' | ')} |`);
  lines.push(`|---:|${sampleMethods.map(() => '---:').join('|')}|`);
  for (const n of summary.ns) {
    lines.push(`| ${n} | ${sampleMethods.map((m) => accuracyCell(get(m, n))).join(' | ')} |`);
  }
  lines.push('');
  lines.push(...renderHeadroom(summary));
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
      const error = 100 * (1 - p.mean);
      const std = p.std === null ? null : 100 * p.std;
      return {
        method: METHOD_LABELS[p.method],
        n: p.n,
        flops: p.flops,
        error,
        lo: std === null ? null : Math.max(0, error - std),
        hi: std === null ? null : Math.min(100, error + std),
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
      subtitle: `${summary.problems} held-out problems · ${seeds > 1 ? `mean ± std over ${seeds} seeds` : '1 seed'}${summary.complete ? '' : ' · partial run'}`,
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
