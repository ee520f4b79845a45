/**
 * Text <-> token ids for language models, over the folder's tokenizer.json (@huggingface/tokenizers).
 * The BOS token is added here from config.json's id rather than by the file's post-processor, so the
 * layout is the same for every export: zoo tokenizers prepend <|endoftext|> themselves, GPT-2's add nothing.
 */
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';

export class LmTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly bosTokenId: number,
  ) {}

  static async load(path: string, bosTokenId: number): Promise<LmTokenizer> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(`could not read tokenizer ${path}: ${(error as Error).message}`, { cause: error });
    }
    let config: unknown = {};
    try {
      config = JSON.parse(await readFile(path.replace(/tokenizer\.json$/, 'tokenizer_config.json'), 'utf8'));
    } catch {
      // tokenizer_config.json is optional.
    }
    return new LmTokenizer(new Tokenizer(json as object, config as object), bosTokenId);
  }

  /** [BOS] + the text's tokens (no other special tokens). */
  encode(text: string, addBos = true): number[] {
    if (typeof text !== 'string') throw new TypeError(`expected a string to encode, got ${typeof text}`);
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    return addBos ? [this.bosTokenId, ...ids] : ids;
  }

  /** Text of the ids, special tokens (BOS/EOS/pad) left out. */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }
}
