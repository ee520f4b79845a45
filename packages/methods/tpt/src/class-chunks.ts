// The text encoder over C prompts, `classChunk` prompts at a time. Each prompt's text feature depends on
// its own row only (the encoder attends within a prompt; ctx is shared but read-only), so a pass over rows
// [a, b) gives exactly rows [a, b) of the one-batch pass, and the gradient with respect to ctx is the sum over
// chunks of each chunk's vector-Jacobian product. What changes is memory: tfjs keeps every intermediate of
// a taped pass until its backward, ~0.3 GiB per prompt for a ViT-B/32-sized text tower on tfjs-wasm, whose
// heap stops at 4 GiB.
import type { PromptParts, VisionLanguageModel } from '@attune/models';
import { assemblePromptEmbeds } from '@attune/models';
import { tf } from '@attune/tensor';

/**
 * What 'auto' bounds: prompts × context length × width per taped pass of the text encoder. 8 · 77 · 512 is
 * 8 prompts of a ViT-B/32 or B/16 text tower, ~2.5 GiB of tfjs-wasm heap with the tape (16 does not fit its
 * 4 GiB); ViT-L/14's (width 768) gets 5; mini-CLIP's (20 · 128) 123, so its 10 classes run in one pass.
 */
export const CLASS_CHUNK_TOKEN_BUDGET = 8 * 77 * 512;

/** Prompts per pass of the text encoder, or 'auto': as many as fit CLASS_CHUNK_TOKEN_BUDGET. */
export type ClassChunk = number | 'auto';

export const DEFAULT_CLASS_CHUNK: ClassChunk = 'auto';

/** The prompts per pass `classChunk` means for prompts of `length` tokens of `width` (at least 1). */
export function classChunkFor(classChunk: ClassChunk, prompt: { length: number; width: number }): number {
  if (classChunk !== 'auto') {
    checkClassChunk(classChunk);
    return classChunk;
  }
  return Math.max(1, Math.floor(CLASS_CHUNK_TOKEN_BUDGET / (prompt.length * prompt.width)));
}

/** classChunkFor with the prompts' own length and width. */
export function classChunkOf(classChunk: ClassChunk, parts: PromptParts): number {
  return classChunkFor(classChunk, { length: parts.length, width: parts.prefix.shape[2] });
}

type TextEncoder = Pick<VisionLanguageModel, 'encodeTextEmbeds'>;

export function checkClassChunk(classChunk: unknown): void {
  if (classChunk === 'auto') return;
  if (!Number.isInteger(classChunk) || (classChunk as number) < 1) {
    throw new Error(`classChunk must be 'auto' or an integer >= 1, got ${classChunk}`);
  }
}

/**
 * [start, count] of the ceil(total / size) chunks of `total` rows, as equal as they can be (sizes differ by
 * at most 1, none above `size`): C = 10 in chunks of at most 8 is 5 + 5, not 8 + 2.
 */
export function chunkRanges(total: number, size: number): [number, number][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`chunk size must be an integer >= 1, got ${size}`);
  const chunks = Math.ceil(total / size);
  const ranges: [number, number][] = [];
  for (let i = 0, start = 0; i < chunks; i++) {
    const count = Math.floor(total / chunks) + (i < total % chunks ? 1 : 0);
    ranges.push([start, count]);
    start += count;
  }
  return ranges;
}

/** Raw text features [count,D] of prompts start..start+count−1 around ctx; differentiable w.r.t. ctx. */
function encodeRows(
  model: TextEncoder,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  start: number,
  count: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const C = parts.prefix.shape[0];
    if (start === 0 && count === C)
      return model.encodeTextEmbeds(assemblePromptEmbeds(parts, ctx), parts.eotIndex);
    const [, prefixLength, W] = parts.prefix.shape;
    const suffixLength = parts.suffix.shape[1];
    // assemblePromptEmbeds reads C from prefix: a chunk is the same parts with their rows cut.
    const rows: PromptParts = {
      ...parts,
      prefix: tf.slice(parts.prefix, [start, 0, 0], [count, prefixLength, W]),
      suffix: tf.slice(parts.suffix, [start, 0, 0], [count, suffixLength, W]),
      eotIndex: tf.slice(parts.eotIndex, [start], [count]),
    };
    return model.encodeTextEmbeds(assemblePromptEmbeds(rows, ctx), rows.eotIndex);
  });
}

/**
 * Raw text features [C,D] of all prompts around ctx, encoded `classChunk` prompts at a time. Without a
 * gradient tape around it, memory holds one chunk's activations at a time.
 */
export function textFeaturesInChunks(
  model: TextEncoder,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  classChunk: ClassChunk,
): tf.Tensor2D {
  const ranges = chunkRanges(parts.prefix.shape[0], classChunkOf(classChunk, parts));
  if (ranges.length === 1) return encodeRows(model, parts, ctx, 0, ranges[0]![1]);
  const pieces: tf.Tensor2D[] = [];
  try {
    for (const [start, count] of ranges) pieces.push(encodeRows(model, parts, ctx, start, count));
    return tf.concat(pieces, 0);
  } finally {
    tf.dispose(pieces);
  }
}

/**
 * d(loss)/d(ctx) [n,W] given upstream = d(loss)/d(text features) [C,D]: per chunk, the vector-Jacobian
 * product of that chunk's text features with its rows of upstream (a forward pass with the tape and its
 * backward, then freed), summed over chunks.
 */
export function textFeaturesVjp(
  model: TextEncoder,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  upstream: tf.Tensor2D,
  classChunk: ClassChunk,
): tf.Tensor2D {
  const ranges = chunkRanges(parts.prefix.shape[0], classChunkOf(classChunk, parts));
  const grads: tf.Tensor2D[] = [];
  try {
    for (const [start, count] of ranges) {
      grads.push(
        tf.tidy(() => {
          const seed = tf.slice(upstream, [start, 0], [count, -1]);
          const encode = (c: tf.Tensor) => encodeRows(model, parts, c as tf.Tensor2D, start, count);
          return tf.grad(encode)(ctx, seed) as tf.Tensor2D;
        }),
      );
    }
    return grads.length === 1 ? grads[0]!.clone() : (tf.addN(grads) as tf.Tensor2D);
  } finally {
    tf.dispose(grads);
  }
}
