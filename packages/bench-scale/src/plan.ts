// Which (method, C) cases a run does, in order: the gradient methods' small-C probes first (their memory per
// class with all prompts in one taped pass: what TPT without chunking would need), then every method at each
// main C.
import { type CaseSpec, METHODS, type MethodName } from './types.js';

export const MODEL = 'shaped:clip-vit-b-32';
export const VIEWS = 64;

export interface PlanOptions {
  readonly quick: boolean;
  /** Timed samples per case (default 4; quick 2). */
  readonly samples?: number;
  /** Untimed warm-up samples per case (default 1). */
  readonly warmup?: number;
  /** Main class counts (default 200 and 1000; quick 200). */
  readonly classes?: readonly number[];
  readonly methods?: readonly MethodName[];
  /** Probe class counts of TPT and DiffTPT (default 4 and 8; quick 2 and 4). */
  readonly probeClasses?: readonly number[];
  /** TPT/DiffTPT's classChunk in the main cases (default: method-tpt's 'auto', 8 on a ViT-B text tower). */
  readonly chunk?: number;
  readonly model?: string;
}

/** The methods whose cost grows with C through the text encoder's backward pass. */
export const GRADIENT_METHODS: readonly MethodName[] = ['tpt', 'difftpt'];

export function planCases(options: PlanOptions): CaseSpec[] {
  const samples = options.samples ?? (options.quick ? 2 : 4);
  const warmup = options.warmup ?? 1;
  const classes = options.classes ?? (options.quick ? [200] : [200, 1000]);
  const probeClasses = options.probeClasses ?? (options.quick ? [2, 4] : [4, 8]);
  const methods = options.methods ?? METHODS;
  const model = options.model ?? MODEL;
  const chunk = options.chunk;
  for (const c of [...classes, ...probeClasses]) {
    if (!Number.isInteger(c) || c < 1) throw new Error(`class counts must be positive integers, got ${c}`);
  }
  if (!Number.isInteger(samples) || samples < 1)
    throw new Error(`samples must be an integer >= 1, got ${samples}`);
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new Error(`warmup must be an integer >= 0, got ${warmup}`);
  if (chunk !== undefined && !(Number.isInteger(chunk) && chunk >= 1))
    throw new Error(`chunk must be an integer >= 1, got ${chunk}`);
  const spec = (method: MethodName, c: number, role: CaseSpec['role']): CaseSpec => ({
    method,
    classes: c,
    role,
    samples,
    warmup,
    model,
    views: VIEWS,
    // Probes run all C prompts in one taped pass, as the released TPT code does.
    ...(GRADIENT_METHODS.includes(method) && role === 'probe' ? { chunk: c } : {}),
    ...(GRADIENT_METHODS.includes(method) && role === 'main' && chunk !== undefined ? { chunk } : {}),
  });
  const probes = methods
    .filter((m) => GRADIENT_METHODS.includes(m))
    .flatMap((m) => probeClasses.map((c) => spec(m, c, 'probe')));
  const main = classes.flatMap((c) => methods.map((m) => spec(m, c, 'main')));
  return [...probes, ...main];
}
