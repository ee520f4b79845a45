/**
 * Whether a text tower's features ignore the padding after the end token, measured once per model.
 *
 * CLIP's text tower is causal and pools at EOT, so the 77 − (EOT + 1) padding positions of a prompt cannot
 * reach its feature: cutting every batch after its last EOT gives the same features for a fraction of the
 * work (a TPT prompt has ~8–15 tokens of 77). A foreign export may attend both ways or pool over every
 * position; there the padding matters and the cut would change the features. So the cut is not assumed
 * from the architecture's name: the tower is run on the same probe prompts at both lengths and the cut is
 * taken only when the features agree to `PADDING_TOLERANCE` (relative to the largest feature).
 */

/** Largest |full − trimmed| / max |full| accepted as "the padding is inert" (float32 reduction-order noise). */
export const PADDING_TOLERANCE = 1e-5;

export type PaddingMode = 'auto' | 'trim' | 'full';

export const PADDING_MODES: readonly PaddingMode[] = ['auto', 'trim', 'full'];

export interface PaddingCheck {
  /** True when features at the trimmed length matched the full length's. */
  readonly inert: boolean;
  /** max |full − trimmed| / max |full| over the probe. */
  readonly relativeDifference: number;
  /** The probe's lengths: full (the context length) and trimmed (last EOT + 1). */
  readonly fullLength: number;
  readonly trimmedLength: number;
}

/** Compares two feature matrices of the same probe and decides. */
export function comparePaddingFeatures(
  full: Float32Array,
  trimmed: Float32Array,
  fullLength: number,
  trimmedLength: number,
): PaddingCheck {
  if (full.length !== trimmed.length || full.length === 0) {
    throw new Error(
      `padding check: expected features of the same non-empty size at both lengths, got ${full.length} and ${trimmed.length}`,
    );
  }
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < full.length; i++) {
    scale = Math.max(scale, Math.abs(full[i]!));
    diff = Math.max(diff, Math.abs(full[i]! - trimmed[i]!));
  }
  const relativeDifference = scale > 0 ? diff / scale : diff;
  return {
    inert: Number.isFinite(relativeDifference) && relativeDifference <= PADDING_TOLERANCE,
    relativeDifference,
    fullLength,
    trimmedLength,
  };
}

export function checkPaddingMode(value: unknown): PaddingMode {
  if (typeof value === 'string' && (PADDING_MODES as readonly string[]).includes(value))
    return value as PaddingMode;
  throw new Error(
    `padding must be one of ${PADDING_MODES.map((m) => `'${m}'`).join(', ')} (auto: cut after the last end token when measured exact), got ${JSON.stringify(value)}`,
  );
}
