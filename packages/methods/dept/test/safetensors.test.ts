import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../src/safetensors.js';

const tensors = {
  prompt_embeddings: { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  lora_embedding_B: { shape: [1, 3], data: Float32Array.from([-1, 0.5, 7]) },
};

describe('safetensors', () => {
  it('round-trips F32 tensors and metadata; the header is 8-byte aligned', () => {
    const bytes = writeSafetensors(tensors, { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    expect(back.tensors.prompt_embeddings!.shape).toEqual([2, 3]);
    expect(Array.from(back.tensors.prompt_embeddings!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(back.tensors.lora_embedding_B!.data)).toEqual([-1, 0.5, 7]);
  });

  it('reads the layout the reference writer produces (header JSON, then data in offset order)', () => {
    // {"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} + two floats, as safetensors.torch.save_file writes.
    const header = new TextEncoder().encode('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    const bytes = new Uint8Array(8 + header.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    new DataView(bytes.buffer).setFloat32(8 + header.length, 1.5, true);
    new DataView(bytes.buffer).setFloat32(8 + header.length + 4, -2, true);
    expect(Array.from(readSafetensors(bytes).tensors.x!.data)).toEqual([1.5, -2]);
  });

  const good = writeSafetensors(tensors);
  const headerLength = Number(new DataView(good.buffer).getBigUint64(0, true));
  const withHeader = (json: string) => {
    const h = new TextEncoder().encode(json);
    const out = new Uint8Array(8 + h.length + 12);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    return out;
  };
  it.each([
    ['too short', good.subarray(0, 5), /5 bytes, shorter than the 8-byte header length/],
    [
      'truncated data',
      good.subarray(0, good.length - 4),
      /ends at byte 36 of a 32-byte data section \(truncated file\?\)/,
    ],
    [
      'header length past the end',
      (() => {
        const b = Uint8Array.from(good);
        new DataView(b.buffer).setBigUint64(0, 10n ** 9n, true);
        return b;
      })(),
      /header length 1000000000 does not fit/,
    ],
    [
      'garbage header',
      (() => {
        const b = Uint8Array.from(good);
        b.fill(0x7b, 8, 8 + headerLength);
        return b;
      })(),
      /the header is not UTF-8 JSON/,
    ],
    [
      'wrong byte count',
      withHeader('{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,12]}}'),
      /"x" \[4\] F32 needs 16 bytes, its offsets span 12/,
    ],
    [
      'other dtype',
      withHeader('{"x":{"dtype":"F16","shape":[6],"data_offsets":[0,12]}}'),
      /"x" is F16; this reader takes F32 adapters only/,
    ],
    [
      'unknown dtype',
      withHeader('{"x":{"dtype":"Q4","shape":[3],"data_offsets":[0,12]}}'),
      /unknown dtype "Q4"/,
    ],
    [
      'a hole in the data',
      withHeader('{"x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}'),
      /"x" starts at 4, expected 0/,
    ],
  ])('refuses a corrupt file: %s', (_, bytes, message) => {
    expect(() => readSafetensors(bytes as Uint8Array, 'adapter_model.safetensors')).toThrow(
      message as RegExp,
    );
    expect(() => readSafetensors(bytes as Uint8Array, 'adapter_model.safetensors')).toThrow(
      /^adapter_model.safetensors: not a valid safetensors file/,
    );
  });
});
