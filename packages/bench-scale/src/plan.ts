// Which (method, C) cases a run does, in order: the gradient methods' small-C probes first (their memory per
// class explains, and predicts, what does not fit at C = 200 / 1000), then every method at each main C, then
// TPT's passes at C = 200 timed in chunks (its time there, as TPT itself does not fit).
import { type CaseSpec, METHODS, type MethodName } from './types.js';

export const MODEL = 'shaped:clip-vit-b-32';
export const VIEWS = 64;

export interface PlanOptions {
  readonly quick: boolean;
  /** Timed samples per case (default 4; quick 2). */
  readonly samples?: number;
  /** Main class counts (default 200 and 1000; quick 200). */
  readonly classes?: readonly number[];
  readonly methods?: readonly MethodName[];
  /** Probe class counts of TPT and DiffTPT (default 4 and 8; quick 2 and 4). */
  readonly probeClasses?: readonly number[];
  /** Class counts at which TPT's passes are timed in chunks (default 200; [] for none). */
  readonly estimateClasses?: readonly number[];
  /** Classes per chunk of the estimate (default 8, the largest probe: known to fit). */
  readonly chunk?: number;
  readonly model?: string;
}

/** The methods whose cost grows with C through the text encoder's backward pass. */
export const GRADIENT_METHODS: readonly MethodName[] = ['tpt', 'difftpt'];

export function planCases(options: PlanOptions): CaseSpec[] {
  const samples = options.samples ?? (options.quick ? 2 : 4);
  const classes = options.classes ?? (options.quick ? [200] : [200, 1000]);
  const probeClasses = options.probeClasses ?? (options.quick ? [2, 4] : [4, 8]);
  const methods = options.methods ?? METHODS;
  const model = options.model ?? MODEL;
  for (const c of [...classes, ...probeClasses]) {
    if (!Number.isInteger(c) || c < 1) throw new Error(`class counts must be positive integers, got ${c}`);
  }
  if (!Number.isInteger(samples) || samples < 1)
    throw new Error(`samples must be an integer >= 1, got ${samples}`);
  const estimateClasses = options.estimateClasses ?? (methods.includes('tpt') ? [200] : []);
  const chunk = options.chunk ?? 8;
  const spec = (method: MethodName, c: number, role: CaseSpec['role']): CaseSpec => ({
    method,
    classes: c,
    role,
    samples,
    warmup: 1,
    model,
    views: VIEWS,
  });
  const probes = methods
    .filter((m) => GRADIENT_METHODS.includes(m))
    .flatMap((m) => probeClasses.map((c) => spec(m, c, 'probe')));
  const main = classes.flatMap((c) => methods.map((m) => spec(m, c, 'main')));
  // Each estimate sample is C/chunk full TPT steps: fewer samples, one chunk as warm-up.
  const estimates = estimateClasses.map(
    (c): CaseSpec => ({
      ...spec('tpt', c, 'estimate'),
      samples: options.quick ? 1 : Math.min(samples, 2),
      chunk,
    }),
  );
  return [...probes, ...main, ...estimates];
}
