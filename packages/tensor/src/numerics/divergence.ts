// When an adaptation loop's numbers stop being finite, the check that notices (logits contain NaN) sits far
// from the cause (usually a learning rate far too large for the model's scale). These errors carry where in
// the loop it happened, and the loop's owner adds the setting likely responsible, so the user reads
// "tpt: step 2 of 2 ... lr = 1e+30" rather than only "logits contain NaN".

/** Thrown by the finite-value checks (assertUsableLogits, assertNoNaN, assertFiniteArray). */
export class NonFiniteValuesError extends Error {
  override readonly name = 'NonFiniteValuesError';
  /** Where in a loop it happened, set by the loop that saw it first (e.g. 'step 2 of 4'). */
  phase: string | undefined;
}

/** Tags a non-finite-values error with the loop phase it happened in (the innermost loop wins); rethrows. */
export function tagPhase(error: unknown, phase: string): never {
  if (error instanceof NonFiniteValuesError) error.phase ??= phase;
  throw error;
}

export interface DivergenceContext {
  /** The method, e.g. 'tpt'. */
  readonly method: string;
  /** Where in the run, when the error carries no phase of its own, e.g. 'the prediction after 1 step'. */
  readonly phase: string;
  /** The settings most likely responsible, with their values, e.g. { lr: 1e30 }. */
  readonly settings: Readonly<Record<string, number>>;
  /** Their defaults, to suggest a value, e.g. { lr: 5e-3 }. */
  readonly defaults?: Readonly<Record<string, number>>;
}

/** The run stopped because its values became NaN or infinite; names the phase and the likely setting. */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(
    readonly context: DivergenceContext,
    cause: NonFiniteValuesError,
  ) {
    // Settings left at their defaults are not suspects, unless every one of them is.
    const entries = Object.entries(context.settings);
    const changed = entries.filter(([key, value]) => context.defaults?.[key] !== value);
    const settings = (changed.length > 0 ? changed : entries)
      .map(([key, value]) => {
        const fallback = context.defaults?.[key];
        return `${key} = ${value}${fallback !== undefined && fallback !== value ? ` (default ${fallback})` : ''}`;
      })
      .join(', ');
    super(
      `${context.method}: the values became non-finite at ${cause.phase ?? context.phase} (${cause.message}); ` +
        `the setting most likely responsible: ${settings} — a smaller value keeps the updates finite`,
      { cause },
    );
  }
}

/** `error` as a DivergenceError when it is a non-finite-values error, else `error` unchanged. */
export function explainDivergence(error: unknown, context: DivergenceContext): unknown {
  return error instanceof NonFiniteValuesError ? new DivergenceError(context, error) : error;
}

/** Runs `step`, rethrowing a non-finite-values error as a DivergenceError in `context`. */
export async function withDivergenceContext<T>(
  context: DivergenceContext,
  step: () => T | Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw explainDivergence(error, context);
  }
}
