import { fileURLToPath } from 'node:url';
import type { FeedSpec, FeedSpecs } from './feeds.js';
import { normal, randomInts, seededRandom } from './random.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const fixturePath = (name: string) => `${FIXTURES_DIR}${name}`;

/** Sizes of the dynamic axes a test runs with. */
export interface Dims {
  readonly batch: number;
  readonly sequence: number;
  /** Cached positions of the decoder (0 = the first step, an empty KV cache). */
  readonly past?: number;
}

const CLIP = { vocab: 64, sot: 62, eot: 63, width: 32 };
const GPT2 = { vocab: 80, width: 32, heads: 4, headDim: 8, layers: 2 };

/** CLIP-style token rows: [SOT, words..., EOT, 0 padding], EOT the largest id so argmax finds it. */
function clipTokenRows(random: () => number, { batch, sequence }: Dims): { ids: number[]; eot: number[] } {
  const ids: number[] = [];
  const eot: number[] = [];
  for (let row = 0; row < batch; row++) {
    const words = 1 + ((row * 3 + 1) % (sequence - 2));
    const tokens = [CLIP.sot, ...randomInts(random, words, 1, CLIP.sot), CLIP.eot];
    eot.push(tokens.length - 1);
    ids.push(...tokens, ...Array(sequence - tokens.length).fill(0));
  }
  return { ids, eot };
}

/** GPT-2 decoder inputs with a KV cache of `past` positions and left padding on the last row. */
function gpt2Common(random: () => number, { batch, sequence, past = 0 }: Dims): FeedSpecs {
  const total = past + sequence;
  const mask: number[] = [];
  const positions: number[] = [];
  for (let row = 0; row < batch; row++) {
    // The last row is left-padded by one position (as batched generation does); HF derives positions
    // from the mask, so padded rows start counting at their first real token.
    const padding = row === batch - 1 && total > 1 ? 1 : 0;
    for (let t = 0; t < total; t++) mask.push(t < padding ? 0 : 1);
    for (let t = 0; t < sequence; t++) positions.push(Math.max(past + t - padding, 0));
  }
  const specs: Record<string, FeedSpec> = {
    attention_mask: { dtype: 'int64', shape: [batch, total], data: mask },
    position_ids: { dtype: 'int64', shape: [batch, sequence], data: positions },
  };
  for (let layer = 0; layer < GPT2.layers; layer++) {
    for (const kind of ['key', 'value']) {
      const shape = [batch, GPT2.heads, past, GPT2.headDim];
      specs[`past_key_values.${layer}.${kind}`] = {
        dtype: 'float32',
        shape,
        data: normal(random, batch * GPT2.heads * past * GPT2.headDim),
      };
    }
  }
  return specs;
}

function pixels(random: () => number, { batch }: Dims): FeedSpecs {
  return {
    pixel_values: { dtype: 'float32', shape: [batch, 3, 32, 32], data: normal(random, batch * 3 * 32 * 32) },
  };
}

export interface ModelFixture {
  readonly file: string;
  /** Inputs for the given dynamic sizes, from a seed. */
  readonly inputs: (dims: Dims, seed: number) => FeedSpecs;
  /** Dynamic sizes to test with; the first is the default. */
  readonly dims: readonly Dims[];
  /** The float input that carries gradients, for the models that have one. */
  readonly differentiable?: string;
}

export const MODEL_FIXTURES: readonly ModelFixture[] = [
  {
    file: 'clip_text_ids.onnx',
    inputs: (dims, seed) => {
      const { ids } = clipTokenRows(seededRandom(seed), dims);
      return { input_ids: { dtype: 'int64', shape: [dims.batch, dims.sequence], data: ids } };
    },
    dims: [
      { batch: 3, sequence: 7 },
      { batch: 1, sequence: 16 },
    ],
  },
  {
    file: 'clip_text_embeds.onnx',
    inputs: (dims, seed) => {
      const random = seededRandom(seed);
      const { eot } = clipTokenRows(random, dims);
      return {
        inputs_embeds: {
          dtype: 'float32',
          shape: [dims.batch, dims.sequence, CLIP.width],
          data: normal(random, dims.batch * dims.sequence * CLIP.width, 0.5),
        },
        eot_index: { dtype: 'int64', shape: [dims.batch], data: eot },
      };
    },
    dims: [
      { batch: 3, sequence: 7 },
      { batch: 2, sequence: 12 },
    ],
    differentiable: 'inputs_embeds',
  },
  {
    // The larger tower the benchmark runs: CLIP's 77-token context.
    file: 'bench_clip_text_embeds.onnx',
    inputs: (dims, seed) => {
      const random = seededRandom(seed);
      const { eot } = clipTokenRows(random, dims);
      return {
        inputs_embeds: {
          dtype: 'float32',
          shape: [dims.batch, dims.sequence, 64],
          data: normal(random, dims.batch * dims.sequence * 64, 0.5),
        },
        eot_index: { dtype: 'int64', shape: [dims.batch], data: eot },
      };
    },
    dims: [{ batch: 2, sequence: 77 }],
  },
  {
    file: 'gpt2_lm_ids.onnx',
    inputs: (dims, seed) => {
      const random = seededRandom(seed);
      const ids = randomInts(random, dims.batch * dims.sequence, 0, GPT2.vocab);
      return {
        input_ids: { dtype: 'int64', shape: [dims.batch, dims.sequence], data: ids },
        ...gpt2Common(random, dims),
      };
    },
    dims: [
      { batch: 2, sequence: 3, past: 4 },
      { batch: 3, sequence: 5, past: 0 },
      { batch: 1, sequence: 1, past: 9 },
    ],
  },
  {
    file: 'gpt2_lm_embeds.onnx',
    inputs: (dims, seed) => {
      const random = seededRandom(seed);
      const count = dims.batch * dims.sequence * GPT2.width;
      return {
        inputs_embeds: {
          dtype: 'float32',
          shape: [dims.batch, dims.sequence, GPT2.width],
          data: normal(random, count, 0.5),
        },
        ...gpt2Common(random, dims),
      };
    },
    dims: [
      { batch: 2, sequence: 3, past: 4 },
      { batch: 2, sequence: 4, past: 0 },
    ],
    differentiable: 'inputs_embeds',
  },
  {
    file: 'conv_tower.onnx',
    inputs: (dims, seed) => pixels(seededRandom(seed), dims),
    dims: [{ batch: 3, sequence: 0 }],
    differentiable: 'pixel_values',
  },
  {
    file: 'vit_block.onnx',
    inputs: (dims, seed) => pixels(seededRandom(seed), dims),
    dims: [
      { batch: 2, sequence: 0 },
      { batch: 1, sequence: 0 },
    ],
    differentiable: 'pixel_values',
  },
  {
    file: 'tiny_mlp.onnx',
    inputs: (dims, seed) => ({
      x: { dtype: 'float32', shape: [dims.batch, 8], data: normal(seededRandom(seed), dims.batch * 8) },
    }),
    dims: [{ batch: 4, sequence: 0 }],
    differentiable: 'x',
  },
];
