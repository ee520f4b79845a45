import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CausalLMModelConfig,
  MissingModelFileError,
  modelKindOf,
  parseCausalLMConfig,
  parseRewardModelConfig,
  resolveModel,
  verifyModel,
  ZOO_MODELS_DIR,
} from '../src/index.js';

const attuneGpt = {
  model_type: 'attune-gpt',
  vocab_size: 2048,
  hidden_size: 128,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  head_dim: 32,
  max_position_embeddings: 256,
  bos_token_id: 0,
  eos_token_id: 0,
  pad_token_id: 1,
};

describe('parseCausalLMConfig', () => {
  it('names a missing field and where it was looked for', () => {
    const { num_hidden_layers: _, ...noLayers } = attuneGpt;
    expect(() => parseCausalLMConfig(noLayers, 'lm/config.json')).toThrow(
      'lm/config.json: missing number of layers: expected one of num_hidden_layers, n_layer, num_layers',
    );
  });

  it('rejects token ids outside the vocabulary and heads that do not divide', () => {
    expect(() => parseCausalLMConfig({ ...attuneGpt, eos_token_id: 2048 }, 'c.json')).toThrow(
      'c.json: eos_token_id (end token id) must be a token id, an integer in [0, 2048) (the vocabulary size), got 2048',
    );
    expect(() => parseCausalLMConfig({ ...attuneGpt, num_key_value_heads: 3 }, 'c.json')).toThrow(
      'c.json: num_attention_heads (4) must be a multiple of num_key_value_heads (3)',
    );
    const { head_dim: _, ...noHeadDim } = attuneGpt;
    expect(() => parseCausalLMConfig({ ...noHeadDim, hidden_size: 130 }, 'c.json')).toThrow(
      'c.json: missing head_dim, and hidden size 130 is not a multiple of 4 heads; add head_dim',
    );
  });

  it("reads GPT-2's names, with bos and pad falling back to the end token", () => {
    const c = parseCausalLMConfig(
      {
        model_type: 'gpt2',
        vocab_size: 50257,
        n_embd: 768,
        n_layer: 12,
        n_head: 12,
        n_positions: 1024,
        eos_token_id: 50256,
      },
      'gpt2/config.json',
    );
    expect(c).toMatchObject({
      hiddenSize: 768,
      numLayers: 12,
      numHeads: 12,
      numKvHeads: 12,
      headDim: 64,
      contextLength: 1024,
      bosTokenId: 50256,
      eosTokenId: 50256,
      padTokenId: 50256,
      numParameters: undefined,
      promptTemplate: undefined,
    });
  });

  it('reads grouped-query attention and a list of end tokens (llama 3 style)', () => {
    const c = parseCausalLMConfig(
      {
        model_type: 'llama',
        vocab_size: 128256,
        hidden_size: 2048,
        num_hidden_layers: 16,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        max_position_embeddings: 131072,
        bos_token_id: 128000,
        eos_token_id: [128001, 128008, 128009],
      },
      'c.json',
    );
    expect(c).toMatchObject({ numKvHeads: 8, headDim: 64, eosTokenId: 128001, padTokenId: 128001 });
    expect(c.eosTokenIds).toEqual([128001, 128008, 128009]);
  });
});

describe('parseRewardModelConfig and modelKindOf', () => {
  it('tells reward models from LMs by model_type or a *ForSequenceClassification architecture', () => {
    expect(modelKindOf(attuneGpt, 'c.json')).toBe('causal-lm');
    expect(modelKindOf({ model_type: 'attune-gpt-reward' }, 'c.json')).toBe('reward-model');
    expect(modelKindOf({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] }, 'c.json')).toBe(
      'causal-lm',
    );
    expect(
      modelKindOf({ model_type: 'llama', architectures: ['LlamaForSequenceClassification'] }, 'c.json'),
    ).toBe('reward-model');
  });

  it('requires exactly one label', () => {
    const base = {
      model_type: 'attune-gpt-reward',
      vocab_size: 10,
      max_position_embeddings: 8,
      eos_token_id: 0,
    };
    expect(parseRewardModelConfig(base, 'c.json')).toMatchObject({
      numLabels: 1,
      bosTokenId: 0,
      padTokenId: 0,
    });
    expect(() => parseRewardModelConfig({ ...base, id2label: { 0: 'bad', 1: 'good' } }, 'c.json')).toThrow(
      'c.json: num_labels (number of score outputs) must be 1 for a reward model, got 2; attune reads one scalar score per sequence',
    );
  });
});

// An optimum-style folder: a GPT-2 config and the merged decoder at the top level.
const dir = mkdtempSync(join(tmpdir(), 'attune-hf-lm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lmDir = join(ZOO_MODELS_DIR, 'mini-lm');
copyFileSync(join(lmDir, 'onnx', 'model.onnx'), join(dir, 'decoder_model_merged.onnx'));
copyFileSync(join(lmDir, 'tokenizer.json'), join(dir, 'tokenizer.json'));
writeFileSync(
  join(dir, 'config.json'),
  JSON.stringify({
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: 2048,
    n_embd: 128,
    n_layer: 4,
    n_head: 4,
    n_positions: 256,
    bos_token_id: 0,
    eos_token_id: 0,
  }),
);

describe('a Hugging Face-style decoder export folder', () => {
  it('resolves decoder_model_merged.onnx as the decoder and lists the absent soft-prompt graphs', async () => {
    const model = await resolveModel(dir);
    expect(model.kind).toBe('causal-lm');
    expect(model.files.decoder!.relativePath).toBe('decoder_model_merged.onnx');
    expect((model.config as CausalLMModelConfig).headDim).toBe(32);
    expect(model.absentOptional.map((a) => a.role)).toEqual(['decoderEmbeds', 'tokenEmbedding']);
    const report = await verifyModel(dir);
    expect(report.problems).toEqual([]);
  });

  it('names the decoder it could not find', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    copyFileSync(join(dir, 'config.json'), join(empty, 'config.json'));
    copyFileSync(join(dir, 'tokenizer.json'), join(empty, 'tokenizer.json'));
    const err = await resolveModel(empty).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingModelFileError);
    expect((err as Error).message).toBe(
      `no decoder with key/value cache: expected onnx/model.onnx (or model.onnx, onnx/decoder_model_merged.onnx, decoder_model_merged.onnx) in ${empty}`,
    );
  });
});
