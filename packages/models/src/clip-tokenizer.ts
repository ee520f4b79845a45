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

const SOT_TOKEN = '<|startoftext|>';
const EOT_TOKEN = '<|endoftext|>';

export class ClipTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly contextLength: number,
    readonly specialIds: ClipTokenizerIds,
    /** The vocabulary's unknown token, unless it doubles as a special token (OpenAI's BPE: <|endoftext|>). */
    readonly unknownId?: number,
  ) {}

  /**
   * `ids` override the special ids (from config.json); missing ones are looked up in the tokenizer's
   * vocabulary (<|startoftext|>, <|endoftext|>); the pad id defaults to 0 as in OpenAI's clip.tokenize.
   */
  static async load(
    path: string,
    contextLength: number,
    ids: Partial<ClipTokenizerIds> = {},
  ): Promise<ClipTokenizer> {
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
    const lookup = (token: string, role: string): number => {
      const id = tokenizer.token_to_id(token);
      if (id === undefined) {
        throw new Error(
          `tokenizer ${path} has no ${token} token and config.json names no ${role} token id; expected both of CLIP's special tokens`,
        );
      }
      return id;
    };
    const specialIds = {
      sot: ids.sot ?? lookup(SOT_TOKEN, 'start'),
      eot: ids.eot ?? lookup(EOT_TOKEN, 'end'),
      pad: ids.pad ?? 0,
    };
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new Error(`context length must be an integer >= 2 (start + end token), got ${contextLength}`);
    }
    const unkToken = (json as { model?: { unk_token?: unknown } }).model?.unk_token;
    const unkId = typeof unkToken === 'string' ? tokenizer.token_to_id(unkToken) : undefined;
    const unknownId =
      unkId === undefined || [specialIds.sot, specialIds.eot, specialIds.pad].includes(unkId)
        ? undefined
        : unkId;
    return new ClipTokenizer(tokenizer, contextLength, specialIds, unknownId);
  }

  /** The text's own token ids, without start/end tokens. */
  encodeText(text: string): number[] {
    if (typeof text !== 'string') throw new TypeError(`expected a string to tokenize, got ${typeof text}`);
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
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
      eotIndex[row] = tokens.length - 1;
    });
    return { ids, eotIndex, length, truncated };
  }
}
