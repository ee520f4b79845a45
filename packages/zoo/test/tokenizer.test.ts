import { describe, expect, it } from 'vitest';
import { type ClipModelConfig, resolveModel } from '../src/index.js';
import { loadTokenizer } from './helpers/clip-runtime.js';

const model = await resolveModel('zoo:mini-clip');
const config = model.config as ClipModelConfig;
const tokenizer = loadTokenizer(model);
const reference = model.card!.reference_outputs as { caption: string; caption_input_ids: number[] };

describe('mini-clip tokenizer.json in @huggingface/tokenizers (pure JS)', () => {
  it('encodes "a photo of a sneaker." to exactly the ids the Python recipe used', () => {
    expect(reference.caption).toBe('a photo of a sneaker.');
    expect(tokenizer.encode('a photo of a sneaker.').ids).toEqual(reference.caption_input_ids);
  });

  it('wraps text in <|startoftext|> ... <|endoftext|>, whose ids config.json states', () => {
    const { ids, tokens } = tokenizer.encode('a photo of a sneaker.');
    expect(tokens).toEqual(['<|startoftext|>', 'a', 'photo', 'of', 'a', 'sneaker', '.', '<|endoftext|>']);
    expect(ids[0]).toBe(config.sotTokenId);
    expect(ids.at(-1)).toBe(config.eotTokenId);
  });

  it('gives <|endoftext|> the largest id, so argmax(input_ids) finds the pooling position', () => {
    const vocabSize = config.raw.text_config as { vocab_size: number };
    expect(config.eotTokenId).toBe(vocabSize.vocab_size - 1);
    expect(config.padTokenId).toBeLessThan(config.eotTokenId!);
  });

  it('lower-cases and splits "t-shirt/top" on punctuation', () => {
    expect(tokenizer.tokenize('A T-Shirt/Top')).toEqual(['a', 't', '-', 'shirt', '/', 'top']);
    const ids = tokenizer.encode('a photo of a t-shirt/top.').ids;
    expect(ids).not.toContain(tokenizer.token_to_id('<|unk|>'));
  });

  it('maps words outside the caption vocabulary to <|unk|>', () => {
    const unk = tokenizer.token_to_id('<|unk|>');
    expect(unk).toBe(1);
    expect(tokenizer.encode('a photo of a zebra.').ids).toEqual([
      config.sotTokenId,
      ...tokenizer.encode('a photo of a', { add_special_tokens: false }).ids,
      unk,
      tokenizer.token_to_id('.'),
      config.eotTokenId,
    ]);
  });

  it('fits every class name in every ensemble template within the context length', () => {
    for (const names of Object.values(config.classNames!)) {
      for (const name of names) {
        for (const template of config.ensembleTemplates!) {
          const ids = tokenizer.encode(template.replace('{}', name)).ids;
          expect(ids.length).toBeLessThanOrEqual(config.contextLength);
          expect(ids).not.toContain(1);
        }
      }
    }
  });
});
