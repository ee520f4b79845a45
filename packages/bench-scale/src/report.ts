// From case results to the numbers the issue asks for: per (method, C) p50/p95 latency, stages and peak
// memory; STS vs TPT ratios at C = 200 (measured, or bounded and extrapolated when TPT does not fit); STS's
// time beyond encoding its views; and the markdown table.
import { formatTable, summarize } from '@attune/timing';
import { MiB } from './memory.js';
import type { CaseResult, CaseSpec, MethodName, StageTimes } from './types.js';

export const STAGES = ['views', 'encode', 'prototypes', 'adapt', 'predict'] as const;
export type Stage = (typeof STAGES)[number];

export interface CaseSummary {
  readonly method: MethodName;
  readonly classes: number;
  readonly role: CaseSpec['role'];
  readonly status: CaseResult['status'];
  readonly reason?: string;
  readonly samples: number;
  readonly p50Ms?: number;
  readonly p95Ms?: number;
  /** Median CPU time per sample (all threads), where the samples recorded it. */
  readonly cpuP50Ms?: number;
  /** Median of each stage over the timed samples. */
  readonly stagesP50Ms: Partial<Record<Stage, number>>;
  readonly setupMs?: number;
  readonly loadMs?: number;
  readonly peakRssBytes?: number;
  readonly loadedRssBytes?: number;
  readonly wasmHeapBytes?: number;
  readonly tfBytes?: number;
  readonly backend?: string;
  readonly tfBackend?: string;
  readonly notes: readonly string[];
  readonly loadAverage?: readonly [number, number];
  /** Facts of the last sample (views kept, steps, STS's k). */
  readonly facts: Record<string, number>;
}

const median = (values: readonly number[]): number | undefined =>
  values.length === 0 ? undefined : summarize(values).medianMs;

export function summarizeCase(result: CaseResult): CaseSummary {
  const totals = result.samples.map((s) => s.totalMs);
  const stagesP50Ms: Partial<Record<Stage, number>> = {};
  for (const stage of STAGES) {
    const values = result.samples
      .map((s) => s.stages[stage as keyof StageTimes])
      .filter((v): v is number => v !== undefined);
    const m = median(values);
    if (m !== undefined) stagesP50Ms[stage] = m;
  }
  const timing = totals.length > 0 ? summarize(totals) : undefined;
  const cpu = result.samples.map((s) => s.cpuMs).filter((v): v is number => v !== undefined);
  const cpuP50Ms = cpu.length === result.samples.length ? median(cpu) : undefined;
  const last = result.samples[result.samples.length - 1];
  return {
    method: result.spec.method,
    classes: result.spec.classes,
    role: result.spec.role,
    status: result.status,
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
    samples: result.samples.length,
    ...(timing ? { p50Ms: timing.medianMs, p95Ms: timing.p95Ms } : {}),
    ...(cpuP50Ms !== undefined ? { cpuP50Ms } : {}),
    stagesP50Ms,
    ...(result.setupMs !== undefined ? { setupMs: result.setupMs } : {}),
    ...(result.loadMs !== undefined ? { loadMs: result.loadMs } : {}),
    ...(result.peakRssBytes !== undefined ? { peakRssBytes: result.peakRssBytes } : {}),
    ...(result.loadedRssBytes !== undefined ? { loadedRssBytes: result.loadedRssBytes } : {}),
    ...(result.wasmHeapBytes !== undefined ? { wasmHeapBytes: result.wasmHeapBytes } : {}),
    ...(result.tfMemory !== undefined ? { tfBytes: result.tfMemory.numBytes } : {}),
    ...(result.backend !== undefined ? { backend: result.backend } : {}),
    ...(result.tfBackend !== undefined ? { tfBackend: result.tfBackend } : {}),
    notes: result.notes,
    ...(result.loadAverage ? { loadAverage: result.loadAverage } : {}),
    facts: last?.facts ?? {},
  };
}

// ---- extrapolation ------------------------------------------------------------------------------------

export interface LinearFit {
  readonly intercept: number;
  readonly slope: number;
}

/** Least-squares line through (x, y) points (at least two distinct x). */
export function linearFit(points: readonly (readonly [number, number])[]): LinearFit {
  const xs = new Set(points.map(([x]) => x));
  if (xs.size < 2)
    throw new Error(`a line needs points at two different x at least, got ${points.length} point(s)`);
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

export const predictAt = (fit: LinearFit, x: number): number => fit.intercept + fit.slope * x;

export interface Extrapolation {
  /** The probe C values the lines were fitted on. */
  readonly fromClasses: readonly number[];
  readonly peakRssBytes: number;
  readonly rssBytesPerClass: number;
  readonly wasmHeapBytes?: number;
  readonly wasmHeapBytesPerClass?: number;
}

/**
 * A method's peak memory at C, extrapolated linearly from its finished probes (undefined with fewer than two
 * probe sizes). Memory only: allocation grows linearly with C and repeats exactly, while the probes' times
 * at C = 4–8 are dominated by per-call costs that do not grow with C and by the machine's load.
 */
export function extrapolate(probes: readonly CaseSummary[], classes: number): Extrapolation | undefined {
  const ok = probes.filter((p) => p.status === 'ok' && p.peakRssBytes !== undefined);
  if (new Set(ok.map((p) => p.classes)).size < 2) return undefined;
  const rss = linearFit(ok.map((p) => [p.classes, p.peakRssBytes!] as const));
  const heaps = ok.filter((p) => p.wasmHeapBytes !== undefined);
  const heap =
    new Set(heaps.map((p) => p.classes)).size >= 2
      ? linearFit(heaps.map((p) => [p.classes, p.wasmHeapBytes!] as const))
      : undefined;
  return {
    fromClasses: [...new Set(ok.map((p) => p.classes))].sort((a, b) => a - b),
    peakRssBytes: predictAt(rss, classes),
    rssBytesPerClass: rss.slope,
    ...(heap ? { wasmHeapBytes: predictAt(heap, classes), wasmHeapBytesPerClass: heap.slope } : {}),
  };
}

/** "predicted from C=4,8 (0.31 GiB/class): ~62 GiB tfjs-wasm heap, ~66 GiB RSS" for a "does not fit" reason. */
export function describePrediction(e: Extrapolation): string {
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(0)} GiB`;
  const perClass = e.wasmHeapBytesPerClass ?? e.rssBytesPerClass;
  const heap = e.wasmHeapBytes !== undefined ? `~${gib(e.wasmHeapBytes)} tfjs-wasm heap, ` : '';
  return `predicted from C=${e.fromClasses.join(',')} (${(perClass / 2 ** 30).toFixed(2)} GiB/class): ${heap}~${gib(e.peakRssBytes)} RSS`;
}

// ---- STS vs TPT -----------------------------------------------------------------------------------------

export interface Ratio {
  readonly speed: number;
  readonly memory: number;
}

export interface Comparison {
  readonly steering: MethodName;
  readonly classes: number;
  /**
   * Both measured at C; `tptChunk` = TPT's classChunk there (prompts per pass of the text encoder); `cpu` =
   * the ratio of median CPU times, when both recorded them.
   */
  readonly measured?: Ratio & { readonly tptChunk?: number; readonly cpu?: number };
  /** TPT did not finish at C: TPT measured at its largest probe C (its cost only grows with C): lower bounds. */
  readonly lowerBound?: Ratio & { readonly tptClasses: number };
  /**
   * TPT with all C prompts in one taped pass (the released code's way, no chunking): its peak memory at C
   * extrapolated linearly from its probes.
   */
  readonly unchunkedMemory?: {
    readonly memory: number;
    readonly tptPeakRssBytes: number;
    readonly fromClasses: readonly number[];
  };
  readonly tptReason?: string;
}

export const TARGET_SPEEDUP = 8;
export const TARGET_MEMORY = 10;
export const TARGET_OVERHEAD = 0.1;

export function compareWithTpt(
  summaries: readonly CaseSummary[],
  steering: MethodName,
  classes: number,
): Comparison | undefined {
  const find = (method: MethodName, c: number, role: CaseSpec['role'] = 'main') =>
    summaries.find((s) => s.method === method && s.classes === c && s.role === role);
  const sts = find(steering, classes);
  if (sts?.status !== 'ok' || sts.p50Ms === undefined || sts.peakRssBytes === undefined) return undefined;
  const tpt = find('tpt', classes);
  const probes = summaries.filter(
    (s) => s.method === 'tpt' && s.role === 'probe' && s.classes < classes && s.status === 'ok',
  );
  const e = extrapolate(probes, classes);
  const unchunked = e
    ? {
        unchunkedMemory: {
          memory: e.peakRssBytes / sts.peakRssBytes,
          tptPeakRssBytes: e.peakRssBytes,
          fromClasses: e.fromClasses,
        },
      }
    : {};
  if (tpt?.status === 'ok' && tpt.p50Ms !== undefined && tpt.peakRssBytes !== undefined) {
    return {
      steering,
      classes,
      measured: {
        speed: tpt.p50Ms / sts.p50Ms,
        memory: tpt.peakRssBytes / sts.peakRssBytes,
        ...(tpt.facts.chunk !== undefined ? { tptChunk: tpt.facts.chunk } : {}),
        ...(tpt.cpuP50Ms !== undefined && sts.cpuP50Ms !== undefined
          ? { cpu: tpt.cpuP50Ms / sts.cpuP50Ms }
          : {}),
      },
      ...unchunked,
    };
  }
  const largest = [...probes].sort((a, b) => b.classes - a.classes)[0];
  return {
    steering,
    classes,
    ...(tpt?.reason ? { tptReason: tpt.reason } : {}),
    ...(largest?.p50Ms !== undefined && largest.peakRssBytes !== undefined
      ? {
          lowerBound: {
            speed: largest.p50Ms / sts.p50Ms,
            memory: largest.peakRssBytes / sts.peakRssBytes,
            tptClasses: largest.classes,
          },
        }
      : {}),
    ...unchunked,
  };
}

export interface Overhead {
  readonly method: MethodName;
  readonly classes: number;
  /** Median over samples of (total − encode) / encode: views, prototype lookup, adaptation, prediction. */
  readonly beyondEncode: number;
  /** Median over samples of (adapt + predict) / encode: the method's own work. */
  readonly adaptPredict: number;
  /** Median over samples of views / encode: the JS augmentation. */
  readonly views: number;
}

/** STS's time beyond encoding its views, relative to that encoding time. */
export function overheadBeyondEncoding(result: CaseResult): Overhead | undefined {
  const rows = result.samples.filter((s) => (s.stages.encode ?? 0) > 0);
  if (result.status !== 'ok' || rows.length === 0) return undefined;
  const m = (f: (s: (typeof rows)[number]) => number) => median(rows.map(f))!;
  return {
    method: result.spec.method,
    classes: result.spec.classes,
    beyondEncode: m((s) => (s.totalMs - s.stages.encode!) / s.stages.encode!),
    adaptPredict: m((s) => ((s.stages.adapt ?? 0) + (s.stages.predict ?? 0)) / s.stages.encode!),
    views: m((s) => (s.stages.views ?? 0) / s.stages.encode!),
  };
}

// ---- formatting -----------------------------------------------------------------------------------------

const sec = (ms: number | undefined, digits = 2): string =>
  ms === undefined ? '–' : (ms / 1000).toFixed(ms >= 100_000 ? 0 : digits);
const mib = (bytes: number | undefined): string => (bytes === undefined ? '–' : (bytes / MiB).toFixed(0));
const times = (x: number): string => `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The memory cell: tfjs-wasm heap high-water mark, or the tfjs bytes left allocated on other backends. */
function tfjsCell(s: CaseSummary): string {
  if (s.wasmHeapBytes !== undefined) return `wasm heap ${mib(s.wasmHeapBytes)}`;
  if (s.tfBytes !== undefined) return `${s.tfBackend ?? 'tfjs'} ${mib(s.tfBytes)}`;
  return '–';
}

function notesCell(s: CaseSummary): string {
  const parts: string[] = [];
  if (s.status !== 'ok') parts.push(`**${s.reason ?? s.status}**`);
  if (s.role === 'probe') parts.push('probe: all C prompts in one taped pass');
  else if (s.facts.chunk !== undefined) parts.push(`text encoder in chunks of ${s.facts.chunk} prompts`);
  if (s.facts.k !== undefined) parts.push(`k = ${s.facts.k}`);
  if (s.facts.viewsKept !== undefined) parts.push(`${s.facts.viewsKept} views kept`);
  if (s.facts.steps !== undefined && s.facts.steps > 0) parts.push(`${s.facts.steps} step(s)`);
  parts.push(...s.notes);
  return parts.join('; ');
}

export const TABLE_HEADER = [
  'method',
  'C',
  'N',
  'p50 s/sample',
  'p95 s',
  'CPU s p50',
  'encode p50 s',
  'adapt-only p50 s',
  'predict p50 s',
  'views p50 s',
  'one-time setup s',
  'peak RSS MiB',
  'RSS after load MiB',
  'tfjs MiB',
  'notes',
] as const;

export function tableRows(summaries: readonly CaseSummary[]): string[][] {
  return summaries.map((s) => [
    s.method,
    String(s.classes),
    String(s.samples),
    sec(s.p50Ms),
    sec(s.p95Ms),
    sec(s.cpuP50Ms),
    sec(s.stagesP50Ms.encode),
    sec(s.stagesP50Ms.adapt ?? (s.status === 'ok' ? 0 : undefined), 3),
    sec(s.stagesP50Ms.predict, 3),
    sec(s.stagesP50Ms.views),
    sec(s.setupMs, 1),
    mib(s.peakRssBytes),
    mib(s.loadedRssBytes),
    tfjsCell(s),
    notesCell(s),
  ]);
}

export function formatResultsTable(summaries: readonly CaseSummary[]): string {
  return formatTable(TABLE_HEADER, tableRows(summaries));
}

const met = (ok: boolean): string => (ok ? 'met' : '**not met**');

/** The ratio lines of one comparison, with the target verdicts. */
export function formatComparison(c: Comparison): string[] {
  const head = `${c.steering} vs tpt at C = ${c.classes}`;
  const lines: string[] = [];
  if (c.measured) {
    const { speed, memory, tptChunk, cpu } = c.measured;
    const how = tptChunk !== undefined ? `; tpt back-propagates in chunks of ${tptChunk} prompts` : '';
    const work = cpu !== undefined ? `; CPU time per sample ${times(cpu)} less` : '';
    lines.push(
      `- ${head} (both measured${how}): **${times(speed)} faster** (p50 wall time; target ≥ ${TARGET_SPEEDUP}×: ${met(speed >= TARGET_SPEEDUP)}${work}), **${times(memory)} less peak RSS** (target ≥ ${TARGET_MEMORY}×: ${met(memory >= TARGET_MEMORY)}).`,
    );
  } else {
    lines.push(
      `- ${head}: **not measurable directly** — tpt at C = ${c.classes} ${c.tptReason ?? 'has no result'}.`,
    );
  }
  if (c.lowerBound) {
    const { speed, memory, tptClasses } = c.lowerBound;
    lines.push(
      `  - lower bound (tpt measured at C = ${tptClasses}, the largest C it fits; its cost only grows with C): ≥ ${times(speed)} faster (target ≥ ${TARGET_SPEEDUP}×: ${met(speed >= TARGET_SPEEDUP)} as a bound), ≥ ${times(memory)} less peak RSS (target ≥ ${TARGET_MEMORY}×: ${met(memory >= TARGET_MEMORY)} as a bound).`,
    );
  }
  if (c.unchunkedMemory) {
    const { memory, tptPeakRssBytes, fromClasses } = c.unchunkedMemory;
    lines.push(
      `  - tpt without chunking (all ${c.classes} prompts in one taped pass, as the released code): peak RSS extrapolated linearly in C from its probes at C = ${fromClasses.join(', ')}: ~${(tptPeakRssBytes / 2 ** 30).toFixed(0)} GiB, **~${times(memory)} less peak memory** for ${c.steering} (an estimate, not a measurement; target ≥ ${TARGET_MEMORY}×: ${met(memory >= TARGET_MEMORY)} by this estimate).`,
    );
  }
  return lines;
}

export function formatOverhead(o: Overhead): string[] {
  return [
    `- ${o.method}, C = ${o.classes}: adaptation + prediction = **${pct(o.adaptPredict)}** of the view-encoding time (target ≤ ${pct(TARGET_OVERHEAD)}: ${met(o.adaptPredict <= TARGET_OVERHEAD)}); everything beyond encoding, including the views' augmentation (${pct(o.views)}), = **${pct(o.beyondEncode)}** (${met(o.beyondEncode <= TARGET_OVERHEAD)}).`,
  ];
}
