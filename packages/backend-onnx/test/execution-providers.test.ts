import { listSupportedBackends } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createOnnxBackend, cudaAvailability } from '../src/index.js';
import { fixture, maxAbsDiff, torchCase } from './fixtures.js';

const cuda = cudaAvailability();

describe('execution providers', () => {
  it('default to cpu', async () => {
    const backend = createOnnxBackend({ intraOpNumThreads: 1, log: () => {} });
    const session = await backend.load(fixture('mlp.onnx'));
    expect(session.info.executionProviders).toEqual(['cpu']);
    expect(session.info.notes).toEqual([]);
    await backend.dispose();
  });

  it('reports cuda as unavailable exactly when its provider library is absent', () => {
    const listed = listSupportedBackends().some((b) => b.name === 'cuda');
    if (!listed) expect(cuda.reason).toBe('this onnxruntime-node build has no CUDA execution provider');
    expect(cuda.available).toBe(cuda.reason === '');
  });

  it.runIf(!cuda.available)('fall back from cuda to cpu with a one-line note, logged once', async () => {
    const logged: string[] = [];
    const backend = createOnnxBackend({
      intraOpNumThreads: 1,
      executionProviders: ['cuda'],
      log: (m) => logged.push(m),
    });
    const mlp = await backend.load(fixture('mlp.onnx'));
    const conv = await backend.load(fixture('convnet.onnx'));
    const note = `execution provider 'cuda' is unavailable, using cpu: ${cuda.reason}`;
    for (const session of [mlp, conv]) {
      expect(session.info.requestedExecutionProviders).toEqual(['cuda']);
      expect(session.info.executionProviders).toEqual(['cpu']);
      expect(session.info.sessionOptions.executionProviders).toEqual(['cpu']);
      expect(session.info.notes).toEqual([note]);
    }
    expect(logged).toEqual([note]);
    expect(note).not.toContain('\n');
    // And the fallback session computes the right thing.
    const { feeds, outputs } = torchCase('mlp');
    const out = await mlp.run(feeds);
    expect(maxAbsDiff(out.logits!.data as Float32Array, outputs.logits!.data)).toBeLessThan(1e-5);
    await backend.dispose();
  });

  it.runIf(cuda.available)('use cuda where the installed onnxruntime has it', async () => {
    const logged: string[] = [];
    const backend = createOnnxBackend({ executionProviders: ['cuda', 'cpu'], log: (m) => logged.push(m) });
    const session = await backend.load(fixture('convnet.onnx'));
    // Either cuda started, or it could not (no device) and the note says why.
    if (session.info.executionProviders.includes('cuda')) expect(session.info.notes).toEqual([]);
    else expect(logged[0]).toMatch(/^execution provider 'cuda' failed to start, using cpu: /);
    const { feeds, outputs } = torchCase('convnet');
    const out = await session.run(feeds);
    expect(maxAbsDiff(out.logits!.data as Float32Array, outputs.logits!.data)).toBeLessThan(1e-4);
    await backend.dispose();
  });

  it('reject unknown providers, naming what is accepted', () => {
    expect(() => createOnnxBackend({ executionProviders: ['webgpu' as 'cpu'] })).toThrow(
      `executionProviders: expected 'cpu' or 'cuda', got "webgpu"`,
    );
    expect(() => createOnnxBackend({ executionProviders: [] })).toThrow(
      "executionProviders: expected a non-empty array of 'cpu' | 'cuda'",
    );
  });
});
