import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CorruptModelError,
  InvalidModelConfigError,
  loadVerifiedModel,
  MissingModelFileError,
  resolveModel,
  verifyModel,
  ZOO_MODELS_DIR,
} from '../src/index.js';

const made: string[] = [];
function copyOfMiniClip(): string {
  const dir = mkdtempSync(join(tmpdir(), 'attune-zoo-'));
  made.push(dir);
  cpSync(join(ZOO_MODELS_DIR, 'mini-clip'), dir, { recursive: true });
  return dir;
}
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a broken copy of mini-clip', () => {
  it('an intact copy verifies', async () => {
    const report = await verifyModel(copyOfMiniClip());
    expect(report.ok).toBe(true);
  });

  it('without its text tower: names the file and what it is for', async () => {
    const dir = copyOfMiniClip();
    rmSync(join(dir, 'onnx', 'text_model.onnx'));
    const err = await resolveModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingModelFileError);
    expect((err as Error).message).toBe(
      `no text tower: expected onnx/text_model.onnx (or text_model.onnx) in ${dir}`,
    );
  });

  it('without tokenizer.json or config.json: names them', async () => {
    const dir = copyOfMiniClip();
    rmSync(join(dir, 'tokenizer.json'));
    await expect(resolveModel(dir)).rejects.toThrow(`no tokenizer: expected tokenizer.json in ${dir}`);
    rmSync(join(dir, 'config.json'));
    await expect(resolveModel(dir)).rejects.toThrow(`no model configuration: expected config.json in ${dir}`);
  });

  it('with one flipped byte in the image tower: reports a sha256 mismatch naming the file', async () => {
    const dir = copyOfMiniClip();
    const path = join(dir, 'onnx', 'vision_model.onnx');
    const bytes = readFileSync(path);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    writeFileSync(path, bytes);
    const report = await verifyModel(dir);
    expect(report.ok).toBe(false);
    const bad = report.files.filter((f) => f.status !== 'ok');
    expect(bad.map((f) => [f.path, f.status])).toEqual([['onnx/vision_model.onnx', 'sha256-mismatch']]);
    expect(report.problems[0]).toMatch(
      /^onnx\/vision_model\.onnx: sha256 mismatch \(card\.json: [0-9a-f]{12}…, file: [0-9a-f]{12}…\)/,
    );
    const err = await loadVerifiedModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptModelError);
    expect((err as Error).message).toContain('onnx/vision_model.onnx: sha256 mismatch');
  });

  it('with a truncated graph and no card to compare against: reports an ONNX file that does not parse', async () => {
    const dir = copyOfMiniClip();
    rmSync(join(dir, 'card.json'));
    const path = join(dir, 'onnx', 'text_model_embeds.onnx');
    truncateSync(path, 5000);
    const report = await verifyModel(dir);
    const bad = report.files.find((f) => f.path === 'onnx/text_model_embeds.onnx')!;
    expect(bad.status).toBe('invalid-onnx');
    expect(bad.message).toMatch(
      /^onnx\/text_model_embeds\.onnx is not a valid ONNX model \(protobuf decoding failed/,
    );
    expect(report.files.filter((f) => f.status !== 'ok')).toHaveLength(1);
  });

  it('with a listed file deleted: reports it missing', async () => {
    const dir = copyOfMiniClip();
    rmSync(join(dir, 'tokenizer_config.json'));
    const report = await verifyModel(dir);
    expect(report.files.find((f) => f.path === 'tokenizer_config.json')?.status).toBe('missing');
    expect(report.problems).toEqual([expect.stringMatching(/^tokenizer_config\.json is missing/)]);
  });

  it('with graphs swapped: reports the wrong inputs/outputs for the role', async () => {
    const dir = copyOfMiniClip();
    rmSync(join(dir, 'card.json'));
    cpSync(join(dir, 'onnx', 'text_model.onnx'), join(dir, 'onnx', 'vision_model.onnx'));
    const report = await verifyModel(dir);
    const bad = report.files.find((f) => f.path === 'onnx/vision_model.onnx')!;
    expect(bad.status).toBe('wrong-io');
    expect(bad.message).toContain('has inputs [input_ids] and outputs [text_embeds]');
    expect(bad.message).toContain('expected inputs to include [pixel_values] and outputs [image_embeds]');
  });

  it('with a malformed config: names the field and what it should be', async () => {
    const dir = copyOfMiniClip();
    const configPath = join(dir, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(configPath, JSON.stringify({ ...config, projection_dim: 'wide' }));
    const err = await resolveModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidModelConfigError);
    expect((err as Error).message).toBe(
      `${configPath}: projection_dim (embedding size) must be a positive integer, got "wide"`,
    );
    writeFileSync(configPath, JSON.stringify({ ...config, model_type: 'bert' }));
    await expect(resolveModel(dir)).rejects.toThrow(
      'model_type "bert" is not supported; expected one of "clip", "ddpm-image-variation"',
    );
    writeFileSync(configPath, '{ not json');
    await expect(resolveModel(dir)).rejects.toThrow(/config\.json: not valid JSON/);
  });
});
