import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidOnnxError, inspectOnnx, inspectOnnxBytes, ZOO_MODELS_DIR } from '../src/index.js';

const onnxDir = join(ZOO_MODELS_DIR, 'mini-clip', 'onnx');

describe('inspectOnnx', () => {
  it('reads names, element types and dynamic dimensions of the image tower', async () => {
    const s = await inspectOnnx(join(onnxDir, 'vision_model.onnx'));
    expect(s.inputs).toEqual([{ name: 'pixel_values', elementType: 'FLOAT', shape: ['batch', 3, 28, 28] }]);
    expect(s.outputs).toEqual([{ name: 'image_embeds', elementType: 'FLOAT', shape: ['batch', 128] }]);
    expect(s.opsets['ai.onnx']).toBe(17);
    expect(s.opTypes).toContain('Conv');
  });

  it('reads the prompt-tuning entry point: inputs_embeds float [batch, sequence, 128] and eot_index int64', async () => {
    const s = await inspectOnnx(join(onnxDir, 'text_model_embeds.onnx'));
    expect(s.inputs).toEqual([
      { name: 'inputs_embeds', elementType: 'FLOAT', shape: ['batch', 'sequence', 128] },
      { name: 'eot_index', elementType: 'INT64', shape: ['batch'] },
    ]);
  });

  it('uses only ops from the common set the tfjs executor implements', async () => {
    const allowed = new Set([
      'Add',
      'ArgMax',
      'Cast',
      'Concat',
      'Constant',
      'Conv',
      'Div',
      'Equal',
      'Erf',
      'Gather',
      'Gemm',
      'LayerNormalization',
      'MatMul',
      'Mul',
      'ReduceMean',
      'Relu',
      'Reshape',
      'Shape',
      'Slice',
      'Softmax',
      'Squeeze',
      'Sub',
      'Transpose',
      'Unsqueeze',
      'Sigmoid',
      'Sqrt',
      'Pow',
      'Neg',
      'Exp',
      'Sin',
      'Cos',
      'BatchNormalization',
      'MaxPool',
      'AveragePool',
      'GlobalAveragePool',
      'Flatten',
      'Expand',
      'Where',
      'Tanh',
      'ConstantOfShape',
      'Identity',
      'Resize',
      'Split',
    ]);
    for (const f of [
      'vision_model.onnx',
      'text_model.onnx',
      'text_model_embeds.onnx',
      'token_embedding.onnx',
    ]) {
      const s = await inspectOnnx(join(onnxDir, f));
      expect(
        s.opTypes.filter((op) => !allowed.has(op)),
        f,
      ).toEqual([]);
    }
  });

  it('counts the weights held in initializers', async () => {
    const s = await inspectOnnx(join(onnxDir, 'token_embedding.onnx'));
    const vocab = JSON.parse(readFileSync(join(ZOO_MODELS_DIR, 'mini-clip', 'config.json'), 'utf8'))
      .text_config.vocab_size;
    expect(s.initializerElements).toBe(vocab * 128);
  });

  it('rejects bytes that are not an ONNX model, naming the file', () => {
    expect(() => inspectOnnxBytes(new TextEncoder().encode('definitely not protobuf {}'), 'x.onnx')).toThrow(
      InvalidOnnxError,
    );
    expect(() => inspectOnnxBytes(new Uint8Array(0), 'empty.onnx')).toThrow(
      'empty.onnx is not a valid ONNX model (it has no graph); re-export it or restore the original file',
    );
  });
});
