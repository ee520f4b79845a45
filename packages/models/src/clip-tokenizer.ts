/**
 * CLIP tokenisation over a Hugging Face `tokenizer.json` (read with @huggingface/tokenizers): the text's
 * tokens between the start and end tokens, padded to the context length. Over-long texts are truncated as
 * OpenAI's `clip.tokenize(..., truncate=True)` does: keep the first L ids and make the last one the end
 * token, so the text features still pool at an end token.
 *
 * The start/end tokens are added here from their ids rather than by the file's post-processor, so the
 * layout is the same for every export (HF CLIP files use RobertaProcessing, the zoo's TemplateProcessing).
 */
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenizedBatch {
  /** Row-major [count, length] token ids, padded with the pad id. */
  readonly ids: Int32Array;
  /** Position of the end token in each row. */
  readonly eotIndex: Int32Array;
  /** The context length L (every row's length). */
  readonly length: number;
  /** Rows whose text did not fit and was cut (their end token replaces the L-th token). */
  readonly truncated: readonly number[];
}

export interface ClipTokenizerIds {
  readonly sot: number;
  readonly eot: number;
  readonly pad: number;
}

/**
 * Where the text tower pools, as transformers' CLIPTextTransformer does it: 'argmax' of the ids when the
 * config's eos_token_id is the legacy 2 (the end token then has the largest id), else the 'first-eos' token.
 */
export type ClipPooling = 'argmax' | 'first-eos';

export interface ClipTokenizerOptions {
  /** Ids a config names, used only for tokens the tokenizer does not define (the tokenizer's own win). */
  readonly fallbackIds?: Partial<ClipTokenizerIds>;
  /** How eotIndex is found (default 'first-eos'). */
  readonly pooling?: ClipPooling;
}

/** A token named in tokenizer_config.json: a string, or an AddedToken object with `content`. */
function tokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

const SOT_TOKEN = '<|startoftext|>';
const EOT_TOKEN = '<|endoftext|>';

export class ClipTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly contextLength: number,
    readonly specialIds: ClipTokenizerIds,
    readonly pooling: ClipPooling,
    /** Config ids that disagreed with the tokenizer's and were not used (e.g. legacy HF text_config ids). */
    readonly overriddenConfigIds: Readonly<Partial<ClipTokenizerIds>>,
    /** The vocabulary's unknown token, unless it doubles as a special token (OpenAI's BPE: <|endoftext|>). */
    readonly unknownId?: number,
  ) {}

  /**
   * The special ids are the tokenizer's own: the tokens tokenizer_config.json names (bos_token, eos_token,
   * pad_token), else <|startoftext|> / <|endoftext|>. Config ids are a fallback only: Hugging Face CLIP
   * configs carry legacy text ids (bos 0, eos 2, pad 1 in openai/clip-vit-base-patch32) that are not the
   * tokenizer's, and feeding them pools the wrong position. The pad id defaults to 0 (OpenAI's clip.tokenize).
   */
  static async load(
    path: string,
    contextLength: number,
    options: ClipTokenizerOptions = {},
  ): Promise<ClipTokenizer> {
    const ids = options.fallbackIds ?? {};
    let json: unknown;
    let config: unknown = {};
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(`could not read tokenizer ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      config = JSON.parse(await readFile(path.replace(/tokenizer\.json$/, 'tokenizer_config.json'), 'utf8'));
    } catch {
      // tokenizer_config.json is optional.
    }
    const tokenizer = new Tokenizer(json as object, config as object);
    const named = config as Record<string, unknown>;
    const own = (key: string, fallbackToken?: string): number | undefined => {
      const name = tokenName(named[key]) ?? fallbackToken;
      return name === undefined ? undefined : tokenizer.token_to_id(name);
    };
    const fromTokenizer = {
      sot: own('bos_token', SOT_TOKEN),
      eot: own('eos_token', EOT_TOKEN),
      pad: own('pad_token'),
    };
    const pick = (role: keyof ClipTokenizerIds, what: string, token: string): number => {
      const id = fromTokenizer[role] ?? ids[role];
      if (id === undefined) {
        if (role === 'pad') return 0;
        throw new Error(
          `tokenizer ${path} has no ${token} token and config.json names no ${what} token id; expected both of CLIP's special tokens`,
        );
      }
      return id;
    };
    const specialIds = {
      sot: pick('sot', 'start', SOT_TOKEN),
      eot: pick('eot', 'end', EOT_TOKEN),
      pad: pick('pad', 'pad', '<pad>'),
    };
    const overridden: Partial<Record<keyof ClipTokenizerIds, number>> = {};
    for (const role of ['sot', 'eot', 'pad'] as const) {
      const given = ids[role];
      if (given !== undefined && given !== specialIds[role]) overridden[role] = given;
    }
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new Error(`context length must be an integer >= 2 (start + end token), got ${contextLength}`);
    }
    const unkToken = (json as { model?: { unk_token?: unknown } }).model?.unk_token;
    const unkId = typeof unkToken === 'string' ? tokenizer.token_to_id(unkToken) : undefined;
    const unknownId =
      unkId === undefined || [specialIds.sot, specialIds.eot, specialIds.pad].includes(unkId)
        ? undefined
        : unkId;
    return new ClipTokenizer(
      tokenizer,
      contextLength,
      specialIds,
      options.pooling ?? 'first-eos',
      overridden,
      unknownId,
    );
  }

  /** The text's own token ids, without start/end tokens. */
  encodeText(text: string): number[] {
    if (typeof text !== 'string') throw new TypeError(`expected a string to tokenize, got ${typeof text}`);
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** The position the text tower pools for one row of ids (see ClipPooling). */
  poolingIndex(row: ArrayLike<number>): number {
    let best = 0;
    if (this.pooling === 'argmax') {
      for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i; // torch: the first maximum
      return best;
    }
    for (let i = 0; i < row.length; i++) if (row[i] === this.specialIds.eot) return i;
    return best; // no end token: argmax of all-false is 0, as in transformers
  }

  /** [SOT] tokens [EOT] pad..., each row of the context length; over-long texts truncated (EOT kept last). */
  tokenize(texts: readonly string[]): TokenizedBatch {
    const length = this.contextLength;
    const ids = new Int32Array(texts.length * length).fill(this.specialIds.pad);
    const eotIndex = new Int32Array(texts.length);
    const truncated: number[] = [];
    texts.forEach((text, row) => {
      const tokens = [this.specialIds.sot, ...this.encodeText(text), this.specialIds.eot];
      if (tokens.length > length) {
        tokens.length = length;
        tokens[length - 1] = this.specialIds.eot;
        truncated.push(row);
      }
      ids.set(tokens, row * length);
      eotIndex[row] = this.poolingIndex(ids.subarray(row * length, (row + 1) * length));
    });
    return { ids, eotIndex, length, truncated };
  }
}
