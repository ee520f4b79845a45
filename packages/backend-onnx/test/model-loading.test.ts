import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxBackend, ModelLoadError } from '../src/index.js';
import { FIXTURES, fixture } from './fixtures.js';

describe('loading names the model when it fails', () => {
  const backend = createOnnxBackend({ intraOpNumThreads: 1, log: () => {} });
  const scratch = mkdtempSync(join(tmpdir(), 'attune-onnx-load-'));
  afterAll(async () => {
    await backend.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('a file that is not an ONNX model', async () => {
    const error = await backend.load(fixture('corrupt.onnx')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).message).toBe(
      `not a valid ONNX model (it does not parse as an ONNX protobuf): ${fixture('corrupt.onnx')}`,
    );
    expect((error as ModelLoadError).model).toBe(fixture('corrupt.onnx'));
  });

  it('a truncated ONNX model', async () => {
    const bytes = readFileSync(fixture('convnet.onnx'));
    const truncated = join(scratch, 'truncated.onnx');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(backend.load(truncated)).rejects.toThrow(truncated);
  });

  it('bytes that are not an ONNX model', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('corrupt.onnx')));
    await expect(backend.load(bytes)).rejects.toThrow(
      /^not a valid ONNX model \(it does not parse as an ONNX protobuf\): <56 bytes, sha256 [0-9a-f]{12}>$/,
    );
  });

  it('a missing file', async () => {
    const missing = join(FIXTURES, 'no-such-model.onnx');
    await expect(backend.load(missing)).rejects.toThrow(`ONNX model file not found: ${missing}`);
  });

  it('a directory, an empty file, empty bytes and a wrong argument type', async () => {
    await expect(backend.load(FIXTURES)).rejects.toThrow(
      `expected an ONNX model file, got a directory: ${FIXTURES}`,
    );
    const empty = join(scratch, 'empty.onnx');
    writeFileSync(empty, '');
    await expect(backend.load(empty)).rejects.toThrow(`ONNX model file is empty (0 bytes): ${empty}`);
    await expect(backend.load(new Uint8Array(0))).rejects.toThrow('model bytes are empty (0 bytes)');
    await expect(backend.load(42 as unknown as string)).rejects.toThrow(
      "model: expected a path to an .onnx file (string) or the model's bytes (Uint8Array), got number",
    );
  });

  it('a failed load is not cached: fixing the file lets the next load succeed', async () => {
    const path = join(scratch, 'fixed-later.onnx');
    writeFileSync(path, 'not yet a model');
    await expect(backend.load(path)).rejects.toThrow(ModelLoadError);
    expect(backend.cachedSessionCount).toBe(0);
    writeFileSync(path, readFileSync(fixture('mlp.onnx')));
    const session = await backend.load(path);
    expect(session.inputNames).toEqual(['features']);
  });
});
