import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOnnxBackend, type OnnxBackend } from '../src/index.js';
import { fixture, torchCase } from './fixtures.js';

describe('session cache', () => {
  let backend: OnnxBackend;
  const scratch = mkdtempSync(join(tmpdir(), 'attune-onnx-cache-'));
  const fresh = () => {
    backend = createOnnxBackend({ intraOpNumThreads: 1, log: () => {} });
    return backend;
  };
  afterEach(async () => {
    await backend.dispose();
  });
  afterEach(() => rmSync(join(scratch, 'model.onnx'), { force: true }));

  it('returns the same session for the same file, however its path is spelled', async () => {
    const b = fresh();
    const a = await b.load(fixture('mlp.onnx'));
    const again = await b.load(relative(process.cwd(), fixture('mlp.onnx')));
    expect(again).toBe(a);
    expect(b.cachedSessionCount).toBe(1);
  });

  it('returns the same session for the same bytes, and for concurrent loads', async () => {
    const b = fresh();
    const bytes = new Uint8Array(await readFile(fixture('convnet.onnx')));
    const [x, y] = await Promise.all([b.load(bytes), b.load(Uint8Array.from(bytes))]);
    expect(y).toBe(x);
    const [p, q] = await Promise.all([b.load(fixture('mlp.onnx')), b.load(fixture('mlp.onnx'))]);
    expect(q).toBe(p);
    expect(b.cachedSessionCount).toBe(2);
  });

  it('gives a new session when the settings differ', async () => {
    const b = fresh();
    const one = await b.load(fixture('mlp.onnx'));
    const two = await b.load(fixture('mlp.onnx'), { intraOpNumThreads: 2 });
    expect(two).not.toBe(one);
    expect(two.info.sessionOptions.intraOpNumThreads).toBe(2);
    expect(await b.load(fixture('mlp.onnx'), { intraOpNumThreads: 1 })).toBe(one);
  });

  it('gives a new session when the file changes (mtime is part of the key)', async () => {
    const b = fresh();
    const path = join(scratch, 'model.onnx');
    copyFileSync(fixture('mlp.onnx'), path);
    utimesSync(path, new Date(1_000_000), new Date(1_000_000));
    const before = await b.load(path);
    copyFileSync(fixture('convnet.onnx'), path);
    utimesSync(path, new Date(2_000_000), new Date(2_000_000));
    const after = await b.load(path);
    expect(after).not.toBe(before);
    expect(after.inputNames).toEqual(['pixel_values']);
    expect(before.inputNames).toEqual(['features']);
  });

  it('release(session) frees it: it refuses to run and the next load makes a new one', async () => {
    const b = fresh();
    const session = await b.load(fixture('mlp.onnx'));
    expect(await b.release(session)).toBe(1);
    expect(session.released).toBe(true);
    expect(b.cachedSessionCount).toBe(0);
    await expect(session.run(torchCase('mlp').feeds)).rejects.toThrow(
      `the session for ${fixture('mlp.onnx')} was released; load the model again`,
    );
    const reloaded = await b.load(fixture('mlp.onnx'));
    expect(reloaded).not.toBe(session);
    expect((await reloaded.run(torchCase('mlp').feeds)).logits!.dims).toEqual([5, 3]);
    expect(await b.release(session)).toBe(0); // already released
  });

  it('release(path) frees every session of that model, whatever its settings', async () => {
    const b = fresh();
    const one = await b.load(fixture('mlp.onnx'));
    const two = await b.load(fixture('mlp.onnx'), { intraOpNumThreads: 2 });
    const other = await b.load(fixture('convnet.onnx'));
    expect(await b.release(fixture('mlp.onnx'))).toBe(2);
    expect([one.released, two.released, other.released]).toEqual([true, true, false]);
    expect(b.cachedSessionCount).toBe(1);
  });

  it('release(bytes) frees the session loaded from those bytes', async () => {
    const b = fresh();
    const bytes = new Uint8Array(await readFile(fixture('mlp.onnx')));
    const session = await b.load(bytes);
    expect(await b.release(Uint8Array.from(bytes))).toBe(1);
    expect(session.released).toBe(true);
  });

  it('a release waits for runs in flight', async () => {
    const b = fresh();
    const session = await b.load(fixture('convnet.onnx'));
    const running = session.run(torchCase('convnet').feeds);
    await session.release();
    expect((await running).logits!.dims).toEqual([10, 5]);
  });

  it('dispose() releases all sessions and refuses new loads', async () => {
    const b = fresh();
    const sessions = await Promise.all([b.load(fixture('mlp.onnx')), b.load(fixture('convnet.onnx'))]);
    await b.dispose();
    expect(sessions.map((s) => s.released)).toEqual([true, true]);
    expect(b.cachedSessionCount).toBe(0);
    await expect(b.load(fixture('mlp.onnx'))).rejects.toThrow(
      'this OnnxBackend was disposed; create a new one',
    );
  });
});
