import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxBackend } from '../src/index.js';
import { fixture } from './fixtures.js';

/** OS threads of this process (Linux): onnxruntime starts intraOpNumThreads - 1 pool threads per session. */
function processThreads(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^Threads:\s+(\d+)$/m.exec(status)![1]);
}

describe('thread settings', () => {
  const backend = createOnnxBackend({ log: () => {} });
  afterAll(() => backend.dispose());

  it('default to every core for intra-op and 1 inter-op thread', async () => {
    expect(backend.settings.intraOpNumThreads).toBe(availableParallelism());
    const session = await backend.load(fixture('mlp.onnx'));
    expect(session.info.sessionOptions).toEqual({
      intraOpNumThreads: availableParallelism(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
    });
  });

  it('are passed to onnxruntime as given; inter-op > 1 switches to parallel mode', async () => {
    const b = createOnnxBackend({ intraOpNumThreads: 3, interOpNumThreads: 2, log: () => {} });
    const session = await b.load(fixture('mlp.onnx'));
    expect(session.info.sessionOptions).toMatchObject({
      intraOpNumThreads: 3,
      interOpNumThreads: 2,
      executionMode: 'parallel',
    });
    await b.dispose();
  });

  it.runIf(process.platform === 'linux')(
    'take effect: a session with 4 intra-op threads starts 3 pool threads',
    async () => {
      // A first session pays onnxruntime's one-off global threads, so the counts below are per session.
      await backend.load(fixture('mlp.onnx'), { intraOpNumThreads: 1 });
      const before = processThreads();
      const four = await backend.load(fixture('convnet.onnx'), { intraOpNumThreads: 4 });
      expect(processThreads() - before).toBe(3);
      await four.release();
      expect(processThreads()).toBe(before);
      const one = await backend.load(fixture('convnet.onnx'), { intraOpNumThreads: 1 });
      expect(processThreads()).toBe(before);
      await one.release();
    },
  );

  it('reject values that are not integers >= 1, naming the field', () => {
    expect(() => createOnnxBackend({ intraOpNumThreads: 0 })).toThrow(
      'intraOpNumThreads: expected an integer >= 1, got 0',
    );
    expect(() => createOnnxBackend({ interOpNumThreads: 1.5 })).toThrow(
      'interOpNumThreads: expected an integer >= 1, got 1.5',
    );
    expect(() => createOnnxBackend({ batchSize: -1 })).toThrow('batchSize: expected an integer >= 1, got -1');
  });
});
