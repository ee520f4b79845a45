/**
 * TPT's PromptLearner layout (github.com/azshue/TPT, clip/custom_clip.py), class token at the end:
 *
 *   prompt_c = [SOT] ctx_1 .. ctx_n  tokens("<class>.")  [EOT]  pad ...
 *              prefix  (learned)      suffix (frozen) ---------------->
 *
 * As in TPT's code:
 * - with an init text, underscores become spaces and n = its number of space-separated words
 *   (`len(ctx_init.split(" "))`), and ctxInit = token embeddings 1..n of the init text tokenised alone;
 * - without one, n = nCtx, ctxInit ~ N(0, 0.02²) and the placeholder prefix is "X X ... X";
 * - class names have underscores replaced by spaces; prompt_c = prefix + " " + name + ".";
 * - prefix = embeddings[:, :1], suffix = embeddings[:, 1 + n:], of the tokenised prompts.
 * Differences: the random init is drawn from attune's seeded RNG (not torch's); a prompt that does not fit
 * the context length is an error (TPT's clip.tokenize raises too).
 */
import { createRng, normalTensor, tf } from '@attune/tensor';
import { checkClassNames } from './class-names.js';
import type { ClipTokenizer } from './clip-tokenizer.js';
import { expectShape, formatShape } from './tensor-checks.js';

export interface PromptParts {
  /** Class names as they appear in the prompts (underscores replaced by spaces). */
  readonly classNames: readonly string[];
  /** The tokenised prompts, e.g. "a photo of a seven.". */
  readonly prompts: readonly string[];
  /** The init text (underscores replaced), or undefined for a random init. */
  readonly initText: string | undefined;
  /** n: number of context vectors. */
  readonly nCtx: number;
  /**
   * L: the sequence length of the parts — the context length, or, when the padding was trimmed, the last
   * EOT position + 1 (a causal text tower's EOT feature does not depend on the padding after it).
   */
  readonly length: number;
  /** Whether the padding after the last EOT was cut off (length < the tokenizer's context length). */
  readonly trimmed: boolean;
  /** Token ids of the prompts, row-major [C, L]. */
  readonly tokenIds: Int32Array;
  /** Position of EOT per class. */
  readonly eotPositions: Int32Array;
  /** int32 [C]: eotPositions as a tensor, ready for encodeTextEmbeds. */
  readonly eotIndex: tf.Tensor1D;
  /** [C,1,W]: the SOT embedding of every prompt. */
  readonly prefix: tf.Tensor3D;
  /** [C, L-1-n, W]: class tokens, ".", EOT and padding embeddings. */
  readonly suffix: tf.Tensor3D;
  /** [n,W]: initial context vectors. */
  readonly ctxInit: tf.Tensor2D;
  /** Frees eotIndex, prefix, suffix and ctxInit. */
  dispose(): void;
}

export interface BuildPromptPartsOptions {
  readonly initText?: string;
  readonly nCtx?: number;
  readonly seed?: number;
  /**
   * Cut every row after the batch's last EOT. Only exact where the padding cannot reach the EOT feature (a
   * causal tower); the model decides (see ClipModel.promptParts' `padding`). Default false.
   */
  readonly trimPadding?: boolean;
}

export const DEFAULT_N_CTX = 4;

/** Builds the parts from a tokenizer and a token-embedding lookup ([count,L,W] for row-major ids). */
export async function buildPromptParts(
  classNames: readonly string[],
  options: BuildPromptPartsOptions,
  tokenizer: ClipTokenizer,
  embed: (ids: Int32Array, count: number) => Promise<tf.Tensor3D>,
): Promise<PromptParts> {
  checkClassNames(classNames);
  const names = classNames.map((name) => name.replaceAll('_', ' '));
  const { initText: rawInit, nCtx: requestedN } = options;
  if (requestedN !== undefined && !(Number.isInteger(requestedN) && requestedN >= 1)) {
    throw new Error(`nCtx must be a positive integer, got ${requestedN}`);
  }
  let initText: string | undefined;
  let n: number;
  let promptPrefix: string;
  if (rawInit !== undefined) {
    initText = rawInit.replaceAll('_', ' ');
    if (initText.trim() === '')
      throw new Error('initText is empty; pass words such as "a photo of a", or omit it');
    if (initText.includes('[CLS]')) {
      throw new Error(
        'initText with a [CLS] marker (TPT\'s "middle" class position) is not supported; the class goes last',
      );
    }
    n = initText.split(' ').length;
    if (requestedN !== undefined && requestedN !== n) {
      throw new Error(
        `nCtx ${requestedN} contradicts initText "${initText}" (${n} words); TPT sets n_ctx to the word count of the init text — omit nCtx`,
      );
    }
    promptPrefix = initText;
  } else {
    n = requestedN ?? DEFAULT_N_CTX;
    promptPrefix = Array.from({ length: n }, () => 'X').join(' ');
    const placeholderTokens = tokenizer.encodeText(promptPrefix).length;
    if (placeholderTokens !== n) {
      throw new Error(
        `the placeholder context "${promptPrefix}" tokenises into ${placeholderTokens} tokens, expected ${n} (one per "X"); this tokenizer cannot hold a random context`,
      );
    }
  }

  const prompts = names.map((name) => `${promptPrefix} ${name}.`);
  const contextLength = tokenizer.contextLength;
  const texts = initText !== undefined ? [initText, ...prompts] : prompts;
  const batch = tokenizer.tokenize(texts);
  const offset = initText !== undefined ? 1 : 0;
  const cut = batch.truncated[0];
  if (cut !== undefined) {
    throw new Error(
      `prompt "${texts[cut]}" does not fit the context length ${contextLength} (it has more than ${contextLength - 2} tokens); shorten the class name or the init text`,
    );
  }
  const eotPositions = batch.eotIndex.slice(offset);
  // The init text is a prefix of every prompt, so its EOT comes before theirs and survives the cut.
  const length = options.trimPadding ? Math.max(...eotPositions) + 1 : contextLength;
  const ids = length === contextLength ? batch.ids : trimRows(batch.ids, texts.length, contextLength, length);
  eotPositions.forEach((eot, c) => {
    if (eot < 1 + n + 1) {
      throw new Error(`prompt "${prompts[c]}" has no class tokens after the ${n} context tokens`);
    }
  });

  const embeddings = await embed(ids, texts.length);
  try {
    expectShape(embeddings, [texts.length, length, 'W'], 'token embeddings');
    const width = embeddings.shape[2];
    const C = names.length;
    const parts = tf.tidy(() => {
      const promptEmbeds = tf.slice(embeddings, [offset, 0, 0], [C, length, width]);
      const prefix = tf.slice(promptEmbeds, [0, 0, 0], [C, 1, width]) as tf.Tensor3D;
      const suffix = tf.slice(promptEmbeds, [0, 1 + n, 0], [C, length - 1 - n, width]) as tf.Tensor3D;
      const ctxInit =
        initText !== undefined
          ? (tf.reshape(tf.slice(embeddings, [0, 1, 0], [1, n, width]), [n, width]) as tf.Tensor2D)
          : (normalTensor(createRng(options.seed ?? 0), [n, width], 0, 0.02) as tf.Tensor2D);
      return { prefix, suffix, ctxInit };
    });
    const eotIndex = tf.tensor1d(eotPositions, 'int32');
    return {
      classNames: names,
      prompts,
      initText,
      nCtx: n,
      length,
      trimmed: length < contextLength,
      tokenIds: ids.slice(offset * length),
      eotPositions,
      eotIndex,
      ...parts,
      dispose() {
        for (const t of [eotIndex, parts.prefix, parts.suffix, parts.ctxInit]) t.dispose();
      },
    };
  } finally {
    embeddings.dispose();
  }
}

/** The first `length` ids of each of `rows` rows of `from` ids. */
export function trimRows(ids: Int32Array, rows: number, from: number, length: number): Int32Array {
  const out = new Int32Array(rows * length);
  for (let r = 0; r < rows; r++) out.set(ids.subarray(r * from, r * from + length), r * length);
  return out;
}

/**
 * The prompt embeddings [C,L,W] = concat(prefix, ctx, suffix) along the sequence axis — TPT's
 * PromptLearner.forward. `ctx` is [n,W] (shared by all classes, broadcast) or [C,n,W] (per class).
 * Differentiable with respect to ctx.
 */
export function assemblePromptEmbeds(parts: PromptParts, ctx: tf.Tensor2D | tf.Tensor3D): tf.Tensor3D {
  const [C, , W] = parts.prefix.shape;
  const n = parts.nCtx;
  const ok =
    ctx instanceof tf.Tensor &&
    ((ctx.rank === 2 && ctx.shape[0] === n && ctx.shape[1] === W) ||
      (ctx.rank === 3 && ctx.shape[0] === C && ctx.shape[1] === n && ctx.shape[2] === W));
  if (!ok) {
    const got = ctx instanceof tf.Tensor ? formatShape(ctx.shape) : String(ctx);
    throw new Error(`expected ctx [${n},${W}] or [${C},${n},${W}], got ${got}`);
  }
  return tf.tidy(() => {
    const perClass = ctx.rank === 2 ? tf.broadcastTo(tf.expandDims(ctx, 0), [C, n, W]) : ctx;
    return tf.concat([parts.prefix, perClass, parts.suffix], 1) as tf.Tensor3D;
  });
}
