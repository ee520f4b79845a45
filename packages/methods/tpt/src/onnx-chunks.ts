// The text encoder passes of class-chunks.ts on onnxruntime: features without a gradient from the forward
// session, and d(loss)/d(ctx) from the model's VJP graph (one native run per chunk, activations in native
// memory). Same chunking, same sums: a chunk's rows of d/d(inputs_embeds), at the ctx positions, summed
// over its prompts and then over chunks.
import type { PromptParts, VisionLanguageModel } from '@attune/models';
import { assemblePromptEmbeds } from '@attune/models';
import { tf } from '@attune/tensor';
import { type ClassChunk, chunkRanges, classChunkOf } from './class-chunks.js';

export type OnnxTextModel = Pick<VisionLanguageModel, 'encodeTextEmbedsOnnx' | 'textEmbedsVjp'>;

/** Prompts start..start+count−1 around ctx: their embeddings and EOT positions (the caller disposes). */
function rowsOf(parts: PromptParts, ctx: tf.Tensor2D, start: number, count: number) {
  return tf.tidy(() => {
    const C = parts.prefix.shape[0];
    if (start === 0 && count === C)
      return { embeds: assemblePromptEmbeds(parts, ctx), eot: parts.eotIndex.clone() };
    const [, prefixLength, W] = parts.prefix.shape;
    const suffixLength = parts.suffix.shape[1];
    const rows: PromptParts = {
      ...parts,
      prefix: tf.slice(parts.prefix, [start, 0, 0], [count, prefixLength, W]),
      suffix: tf.slice(parts.suffix, [start, 0, 0], [count, suffixLength, W]),
      eotIndex: tf.slice(parts.eotIndex, [start], [count]),
    };
    return { embeds: assemblePromptEmbeds(rows, ctx), eot: rows.eotIndex };
  });
}

function need<K extends keyof OnnxTextModel>(
  model: Partial<OnnxTextModel>,
  key: K,
): NonNullable<OnnxTextModel[K]> {
  const f = model[key];
  if (!f)
    throw new Error(`gradients: 'onnx' needs a model with ${key} (an onnxruntime text encoder); use 'tfjs'`);
  return f.bind(model) as NonNullable<OnnxTextModel[K]>;
}

/** Raw text features [C,D] of all prompts around ctx on onnxruntime, `classChunk` prompts per run. */
export async function textFeaturesOnnx(
  model: Partial<OnnxTextModel>,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  classChunk: ClassChunk,
): Promise<tf.Tensor2D> {
  const encode = need(model, 'encodeTextEmbedsOnnx');
  const pieces: tf.Tensor2D[] = [];
  try {
    for (const [start, count] of chunkRanges(parts.prefix.shape[0], classChunkOf(classChunk, parts))) {
      const { embeds, eot } = rowsOf(parts, ctx, start, count);
      try {
        pieces.push(await encode(embeds, eot));
      } finally {
        tf.dispose([embeds, eot]);
      }
    }
    return pieces.length === 1 ? pieces[0]!.clone() : (tf.concat(pieces, 0) as tf.Tensor2D);
  } finally {
    tf.dispose(pieces);
  }
}

/** d(loss)/d(ctx) [n,W] given upstream = d(loss)/d(text features) [C,D], from the VJP graph per chunk. */
export async function textFeaturesVjpOnnx(
  model: Partial<OnnxTextModel>,
  parts: PromptParts,
  ctx: tf.Tensor2D,
  upstream: tf.Tensor2D,
  classChunk: ClassChunk,
): Promise<tf.Tensor2D> {
  const vjp = need(model, 'textEmbedsVjp');
  const prefixLength = parts.prefix.shape[1];
  const [n, W] = ctx.shape;
  let total: tf.Tensor2D | undefined;
  for (const [start, count] of chunkRanges(parts.prefix.shape[0], classChunkOf(classChunk, parts))) {
    const { embeds, eot } = rowsOf(parts, ctx, start, count);
    const seed = tf.slice(upstream, [start, 0], [count, -1]);
    let dEmbeds: tf.Tensor3D | undefined;
    try {
      dEmbeds = await vjp(embeds, eot, seed as tf.Tensor2D);
      const chunk = tf.tidy(
        () => tf.sum(tf.slice(dEmbeds!, [0, prefixLength, 0], [count, n, W]), 0) as tf.Tensor2D,
      );
      const previous = total;
      total = previous ? (tf.add(previous, chunk) as tf.Tensor2D) : chunk;
      if (previous) {
        previous.dispose();
        chunk.dispose();
      }
    } finally {
      tf.dispose([embeds, eot, seed]);
      dEmbeds?.dispose();
    }
  }
  return total!;
}
