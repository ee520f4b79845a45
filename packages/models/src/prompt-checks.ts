/**
 * Checks on the prompts a class set becomes, before they are encoded: a prompt longer than the text
 * encoder's context would be cut (its class word possibly lost), and two classes whose prompts tokenize to
 * the same ids get the same prototype — both silently wrong answers, so both are errors. A word the
 * tokenizer maps to its unknown token is a warning: the class is still distinguishable by its other tokens.
 */
import type { TokenizedBatch } from './clip-tokenizer.js';

export interface PromptTokenizer {
  readonly contextLength: number;
  tokenize(texts: readonly string[]): TokenizedBatch;
  /** The text's own ids, without start/end tokens. */
  encodeText(text: string): number[];
  /** The unknown-token id, when the vocabulary has one (word-level and WordPiece vocabularies). */
  readonly unknownId?: number;
}

export interface PromptCheckResult {
  /** One line per out-of-vocabulary class name. */
  readonly warnings: readonly string[];
}

/**
 * `prompts[c][t]` is class c under template t. Throws when a prompt does not fit the context or two
 * classes tokenize identically under every template; returns warnings for unknown tokens.
 */
export function checkClassPrompts(
  tokenizer: PromptTokenizer,
  classNames: readonly string[],
  prompts: readonly (readonly string[])[],
): PromptCheckResult {
  const flat = prompts.flat();
  const batch = tokenizer.tokenize(flat);
  const perClass = prompts[0]?.length ?? 0;
  if (batch.truncated.length > 0) {
    const row = batch.truncated[0]!;
    const c = Math.floor(row / perClass);
    const length = tokenizer.encodeText(flat[row]!).length + 2;
    throw new Error(
      `the prompt ${JSON.stringify(flat[row])} for class "${classNames[c]}" is ${length} tokens with its start and end tokens; the text encoder's context holds ${tokenizer.contextLength}` +
        `${batch.truncated.length > 1 ? ` (${batch.truncated.length - 1} more prompt(s) do not fit either)` : ''}; ` +
        'shorten the class name or the template: a cut prompt would lose its last words',
    );
  }
  const rowKey = (row: number): string =>
    Array.from(batch.ids.subarray(row * batch.length, row * batch.length + batch.eotIndex[row]! + 1)).join(
      ',',
    );
  const byKey = new Map<string, number>();
  for (let c = 0; c < classNames.length; c++) {
    const key = Array.from({ length: perClass }, (_, t) => rowKey(c * perClass + t)).join('|');
    const previous = byKey.get(key);
    if (previous !== undefined) {
      throw new Error(
        `classes "${classNames[previous]}" and "${classNames[c]}" tokenize to the same ids, so they would get the same prototype and could never be told apart` +
          `${tokenizer.unknownId !== undefined ? ' (their words are probably outside the vocabulary, each mapped to the unknown token)' : ''}; ` +
          'use class names the model\'s vocabulary knows (e.g. "sneaker" rather than a brand name)',
      );
    }
    byKey.set(key, c);
  }
  const warnings: string[] = [];
  const unknown = tokenizer.unknownId;
  if (unknown !== undefined) {
    classNames.forEach((name) => {
      if (tokenizer.encodeText(name).includes(unknown)) {
        warnings.push(
          `class "${name}" has words outside the model's vocabulary (mapped to the unknown token); its prompt carries less of the name than you wrote`,
        );
      }
    });
  }
  return { warnings };
}
