import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema, importPlugins, Registry, readPluginPackage } from '@attune/registry';
import { describe, expect, it } from 'vitest';
import { OnnxBackend } from '../src/index.js';
import { onnxBackendPlugin } from '../src/plugin.js';
import { fixture, maxAbsDiff, torchCase } from './fixtures.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

describe("the 'backend-onnx' plugin", () => {
  it('declares itself as an onnx-inference backend', () => {
    expect(onnxBackendPlugin).toMatchObject({
      name: 'backend-onnx',
      kind: 'backend',
      provides: ['onnx-inference'],
    });
    expect(onnxBackendPlugin.needs).toEqual([]);
  });

  it('has a default for every config field', () => {
    expect(onnxBackendPlugin.config.parse({})).toEqual({
      intraOpNumThreads: availableParallelism(),
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
      batchSize: 64,
    });
  });

  it('rejects bad config through the registry, naming the field', async () => {
    const registry = new Registry().register(onnxBackendPlugin);
    await expect(registry.create('backend-onnx', { intraOpNumThreads: 0 })).rejects.toThrow(
      'intraOpNumThreads',
    );
    await expect(registry.create('backend-onnx', { executionProviders: ['tpu'] })).rejects.toThrow(
      'executionProviders',
    );
    await expect(registry.create('backend-onnx', { batchSize: 1.5 })).rejects.toThrow('batchSize');
  });

  it('exports its config as JSON Schema (for the web form)', () => {
    const schema = configJsonSchema(onnxBackendPlugin) as {
      properties: Record<string, { default?: unknown }>;
    };
    expect(Object.keys(schema.properties).sort()).toEqual([
      'batchSize',
      'executionProviders',
      'interOpNumThreads',
      'intraOpNumThreads',
    ]);
    expect(schema.properties.batchSize!.default).toBe(64);
  });

  it('creates a working backend with the config applied, and disposes it', async () => {
    const registry = new Registry().register(onnxBackendPlugin);
    const backend = await registry.create<OnnxBackend>('backend-onnx', {
      intraOpNumThreads: 1,
      batchSize: 3,
    });
    expect(backend).toBeInstanceOf(OnnxBackend);
    expect(backend.batchSize).toBe(3);
    const session = await backend.load(fixture('convnet.onnx'));
    expect(session.info.sessionOptions.intraOpNumThreads).toBe(1);
    const { feeds, outputs } = torchCase('convnet');
    const out = await session.runBatched(feeds);
    expect(maxAbsDiff(out.logits!.data as Float32Array, outputs.logits!.data)).toBeLessThan(1e-5);
    await backend.dispose();
    expect(session.released).toBe(true);
  });

  it('is found through package.json\'s "attune.plugins" entry (the built dist)', async () => {
    const pkg = readPluginPackage(PACKAGE_DIR);
    expect(pkg?.name).toBe('@attune/backend-onnx');
    const plugins = await importPlugins(pkg!);
    expect(plugins.map((p) => p.name)).toEqual(['backend-onnx']);
  });
});
