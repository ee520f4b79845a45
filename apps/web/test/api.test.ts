import { request } from 'node:http';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedServer, startWebServer } from '../src/server/index.js';
import { readEvents, repoRegistry } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API; the assertions check its shape
type Loose = any;

let server: StartedServer;
beforeAll(async () => {
  server = await startWebServer({ registry: await repoRegistry(), port: 0, modelRoots: [] });
});
afterAll(() => server?.close());

const url = (path: string) => `${server.url}${path}`;
const form = (fields: Record<string, string | Blob>, file?: { name: string; blob: Blob }) => {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  if (file) body.append('image', file.blob, file.name);
  return body;
};
function pngBlob(width: number, height: number): Blob {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set([(i * 7) % 256, 40, 200, 255], 4 * i);
  return new Blob([new Uint8Array(PNG.sync.write(png))], { type: 'image/png' });
}

/** fetch cannot set Host; node:http can (a DNS-rebinding page would reach the server under its own name). */
function statusWithHost(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    })
      .on('error', reject)
      .end();
  });
}

describe('the JSON API', () => {
  it('lists the installed plugins with their contract and config schema', async () => {
    const { plugins } = (await (await fetch(url('/api/plugins'))).json()) as {
      plugins: {
        name: string;
        kind: string;
        contract: string;
        schema: { properties: Record<string, unknown> };
      }[];
    };
    const sts = plugins.find((p) => p.name === 'sts')!;
    expect(sts).toMatchObject({ kind: 'method', contract: 'image-classifier' });
    expect(sts.schema.properties.views).toMatchObject({ type: 'integer', minimum: 1, default: 64 });
    expect(plugins.find((p) => p.name === 'qalign')?.contract).toBe('text-answer');
    expect(plugins.find((p) => p.name === 'clip')?.kind).toBe('model');
  });

  it('lists bundled samples of both datasets, with their classes and images', async () => {
    const { samples, classSets } = (await (await fetch(url('/api/samples'))).json()) as {
      samples: { id: string; label: string; classNames: string[] }[];
      classSets: Record<string, string[]>;
    };
    expect(Object.keys(classSets)).toEqual(['mnist', 'fashion-mnist']);
    expect(samples.find((s) => s.id === 'fashion-mnist-test-0')).toMatchObject({ label: 'ankle boot' });
    const image = await fetch(url('/api/samples/fashion-mnist-test-0/image.png'));
    expect(image.headers.get('content-type')).toBe('image/png');
    expect((await fetch(url('/api/samples/nope-1/image.png'))).status).toBe(404);
  });

  it('runs STS on a bundled digit: progress events, then the result with views and the kept ones', async () => {
    const response = await fetch(url('/api/run/sts'), {
      method: 'POST',
      body: form({ sample: 'mnist-test-0', config: JSON.stringify({ views: 16 }), seed: '3' }),
    });
    expect(response.status).toBe(202);
    const { job } = (await response.json()) as { job: string };
    const events = await readEvents(server.url, job);
    expect(events[0]!.type).toBe('queued');
    expect(events.some((e) => e.type === 'progress')).toBe(true);
    const last = events.at(-1)! as unknown as { type: string; result: Loose };
    expect(last.type).toBe('result');
    const result = last.result;
    expect(result.label).toBe('seven');
    expect(result.after.top5).toHaveLength(5);
    expect(result.before.plugin).toBe('zeroshot');
    expect(result.entropyAfter).toBeLessThan(result.entropyBefore + 1e-9);
    expect(result.views.files).toHaveLength(16);
    // int(16 · 0.1) = 1 kept view.
    expect(result.views.kept).toHaveLength(1);
    const view = await fetch(url(`/api/jobs/${job}/files/${result.views.files[0]}`));
    expect(view.headers.get('content-type')).toBe('image/png');
  });

  it('hands STS the same views it would draw itself (same prediction with and without the app views)', async () => {
    const registry = await repoRegistry();
    const { datasetImage, loadDataset, planarToInterleaved, MNIST_CLASS_NAMES } = await import(
      '@attune/data'
    );
    const image = datasetImage(loadDataset('mnist', 'test'), 0);
    const method = (await registry.create('sts', { views: 16 })) as Loose;
    try {
      const own = await method.classify(
        {
          image: { data: planarToInterleaved(image), width: 28, height: 28, channels: 1 },
          classNames: MNIST_CLASS_NAMES,
        },
        { seed: 3 },
      );
      const response = await fetch(url('/api/run/sts'), {
        method: 'POST',
        body: form({ sample: 'mnist-test-0', config: JSON.stringify({ views: 16 }), seed: '3' }),
      });
      const { job } = (await response.json()) as { job: string };
      const result = ((await readEvents(server.url, job)).at(-1) as Loose).result;
      expect(result.after.top5.map((t: Loose) => t.label)).toEqual(own.top5.map((t: Loose) => t.label));
      expect(result.after.top5[0].prob).toBeCloseTo(own.top5[0].prob, 5);
      expect(result.views.kept).toEqual(own.adaptation.keptViews);
    } finally {
      await method.dispose();
    }
  });

  it('refuses a bad config with the problem named, before queueing anything', async () => {
    const response = await fetch(url('/api/run/sts'), {
      method: 'POST',
      body: form({ sample: 'mnist-test-0', config: JSON.stringify({ views: 0 }) }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { problems: { path: string }[] };
    expect(body.problems[0]!.path).toBe('views');
  });

  it('refuses model paths outside the model roots, and traversal', async () => {
    for (const model of ['/etc', '../../../etc', 'http://example.com/x']) {
      const response = await fetch(url('/api/run/sts'), {
        method: 'POST',
        body: form({ sample: 'mnist-test-0', config: JSON.stringify({ model }) }),
      });
      expect(response.status, model).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/model/);
    }
  });

  it('refuses oversized uploads, images over the pixel limit and files that are not images', async () => {
    const big = new Blob([new Uint8Array(9 * 1024 * 1024)], { type: 'image/png' });
    let response = await fetch(url('/api/run/sts'), {
      method: 'POST',
      body: form({ classes: 'mnist' }, { name: 'big.png', blob: big }),
    });
    expect(response.status).toBe(413);
    // A PNG header that claims 20000 × 20000 pixels: refused from the header, never decoded.
    const header = new Uint8Array(await pngBlob(4, 4).arrayBuffer());
    new DataView(header.buffer).setUint32(16, 20000);
    new DataView(header.buffer).setUint32(20, 20000);
    response = await fetch(url('/api/run/sts'), {
      method: 'POST',
      body: form({ classes: 'mnist' }, { name: 'bomb.png', blob: new Blob([header], { type: 'image/png' }) }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/20000×20000/);
    response = await fetch(url('/api/run/sts'), {
      method: 'POST',
      body: form({ classes: 'mnist' }, { name: 'x.png', blob: new Blob(['<svg/>'], { type: 'image/png' }) }),
    });
    expect(response.status).toBe(415);
  });

  it('classifies an uploaded PNG over a typed class list', async () => {
    const response = await fetch(url('/api/run/zeroshot'), {
      method: 'POST',
      // words the model's vocabulary knows: out-of-vocabulary names that tokenize alike are refused
      body: form({ classes: 'seven, sneaker, bag' }, { name: 'x.png', blob: pngBlob(40, 30) }),
    });
    expect(response.status).toBe(202);
    const { job } = (await response.json()) as { job: string };
    const last = (await readEvents(server.url, job)).at(-1) as Loose;
    expect(last.type).toBe('result');
    expect(last.result.classNames).toEqual(['seven', 'sneaker', 'bag']);
    expect(last.result.before).toBeNull();
  });

  it('refuses cross-origin state changes, foreign Host headers and other content types', async () => {
    let response = await fetch(url('/api/run/sts'), {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ sample: 'mnist-test-0' }),
    });
    expect(response.status).toBe(403);
    expect(await statusWithHost('/api/plugins', 'rebound.example')).toBe(421);
    expect(await statusWithHost('/api/plugins', 'localhost')).toBe(200);
    response = await fetch(url('/api/run/sts'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(response.status).toBe(415);
  });

  it('keeps serving after a method throws, and reports the error on the job', async () => {
    // A fixed rank above min(classes, embedding size) passes the schema but STS throws on it at run time.
    const response = await fetch(url('/api/run/sts'), {
      method: 'POST',
      body: form({ sample: 'mnist-test-0', config: JSON.stringify({ rank: 500, views: 4 }) }),
    });
    expect(response.status).toBe(202);
    const { job } = (await response.json()) as { job: string };
    const last = (await readEvents(server.url, job)).at(-1) as Loose;
    expect(last.type).toBe('error');
    expect(last.message).toMatch(/rank/i);
    expect((await fetch(url('/api/plugins'))).status).toBe(200);
  });

  it('cancels a queued job before it starts', async () => {
    const first = (await (
      await fetch(url('/api/run/sts'), {
        method: 'POST',
        body: form({ sample: 'mnist-test-1', config: '{"views":8}' }),
      })
    ).json()) as { job: string };
    const second = (await (
      await fetch(url('/api/run/sts'), {
        method: 'POST',
        body: form({ sample: 'mnist-test-2', config: '{"views":8}' }),
      })
    ).json()) as { job: string };
    const cancel = await fetch(url(`/api/jobs/${second.job}/cancel`), { method: 'POST' });
    expect(((await cancel.json()) as { cancelled: boolean }).cancelled).toBe(true);
    expect((await readEvents(server.url, second.job)).at(-1)!.type).toBe('cancelled');
    expect((await readEvents(server.url, first.job)).at(-1)!.type).toBe('result');
  });
});
