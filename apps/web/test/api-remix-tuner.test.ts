// The API of the expert-remix (C3PO) and prompt-tuning (DePT) contracts, on the real zoo models: mini-MoE with
// its reference sets, mini-LM with the pinned tasks. Training runs are a few steps: behaviour, not accuracy.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedServer, startWebServer } from '../src/server/index.js';
import { pinnedTasks, readEvents, repoRegistry } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API; the assertions check its shape
type Loose = any;

let server: StartedServer;
let adapterRoot: string;
beforeAll(async () => {
  adapterRoot = mkdtempSync(join(tmpdir(), 'attune-web-adapters-'));
  const registry = await repoRegistry();
  server = await startWebServer({
    registry,
    port: 0,
    modelRoots: [],
    adapterRoots: [adapterRoot],
    promptTasks: pinnedTasks,
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(adapterRoot, { recursive: true, force: true });
});

const url = (path: string) => `${server.url}${path}`;
const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
async function runToEnd(plugin: string, body: unknown) {
  const response = await postJson(`/api/run/${plugin}`, body);
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(202);
  const { job } = (await response.json()) as { job: string };
  return { job, events: (await readEvents(server.url, job)) as Loose[] };
}
const resultOf = (events: Loose[]) => events.find((e) => e.type === 'result')?.result as Loose;

describe('expert-remix (C3PO on mini-MoE)', () => {
  it('lists c3po with the expert-remix contract and its config schema', async () => {
    const info = (await (await fetch(url('/api/plugins/c3po'))).json()) as Loose;
    expect(info.contract).toBe('expert-remix');
    expect(info.schema.properties.family.default).toBe('sentiment');
    expect(info.schema.properties.variant.enum).toEqual(expect.arrayContaining(['ngd', 'oracle']));
  });

  it('answers with base and re-mixed routing: neighbours, weights, routing per critical layer, α', async () => {
    const { events } = await runToEnd('c3po', {
      prompt: 'Is the word "wonderful" positive or negative?',
      config: { family: 'sentiment', variant: 'kernel-regression', k: 3, criticalLayers: 3 },
    });
    const result = resultOf(events);
    expect(result, JSON.stringify(events.at(-1))).toBeDefined();
    expect(result.contract).toBe('expert-remix');
    expect(['positive', 'negative']).toContain(result.answer);
    expect(['positive', 'negative']).toContain(result.base.answer);
    expect(result.neighbours).toHaveLength(3);
    const weights = result.neighbours.map((n: Loose) => n.weight);
    expect(weights.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
    for (const n of result.neighbours) {
      expect(n.question).toMatch(/positive or negative/);
      expect(n.similarity).toBeLessThanOrEqual(0.95); // the leakage guard
    }
    // Most similar first.
    const sims = result.neighbours.map((n: Loose) => n.similarity);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    expect(result.routing.base.map((r: Loose) => r.layer)).toEqual(
      result.routing.remixed.map((r: Loose) => r.layer),
    );
    expect(result.routing.base).toHaveLength(3);
    for (const r of [...result.routing.base, ...result.routing.remixed]) {
      expect(r.weights.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
      expect(r.selected).toHaveLength(2);
      expect(r.weights[r.selected[0]]).toBe(Math.max(...r.weights));
    }
    expect([0, 0.2, 0.4, 0.6, 0.8, 1]).toContain(result.alpha);
    expect(result.probabilities.base.map((p: Loose) => p.label)).toEqual(['positive', 'negative']);
  });

  it('refuses bad options, image fields and prompts that are missing', async () => {
    const bad = await postJson('/api/run/c3po', { prompt: 'Is it good?', options: 'yes' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Loose).error).toMatch(/options must be .* at least two/);
    const image = await postJson('/api/run/c3po', { prompt: 'x', sample: 'mnist-test-0' });
    expect(image.status).toBe(400);
    const empty = await postJson('/api/run/c3po', { prompt: '  ' });
    expect(((await empty.json()) as Loose).error).toMatch(/prompt is required/);
    const variant = await postJson('/api/run/c3po', { prompt: 'x', config: { variant: 'nope' } });
    expect(variant.status).toBe(400);
    expect(((await variant.json()) as Loose).problems[0].path).toBe('variant');
  });
});

describe('prompt-tuning (DePT on mini-LM)', () => {
  let trained: string;

  it('lists the pinned tasks and no adapters yet', async () => {
    const { tasks } = (await (await fetch(url('/api/tasks'))).json()) as Loose;
    expect(tasks.map((t: Loose) => t.name)).toEqual(expect.arrayContaining(['spam', 'reuters', 'sentiment']));
    expect(tasks.find((t: Loose) => t.name === 'spam').labels).toEqual(['ham', 'spam']);
    const adapters = (await (await fetch(url('/api/adapters'))).json()) as Loose;
    expect(adapters).toMatchObject({ roots: 1, writable: true, adapters: [] });
  });

  it('trains a soft prompt as a job: loss, step and ETA per step, then the adapter under the root', async () => {
    const { events } = await runToEnd('dept', {
      action: 'train',
      task: 'spam',
      validationExamples: 16,
      config: { steps: 3, warmupSteps: 1, batchSize: 8, budgetTokens: 10 },
    });
    const steps = events.filter((e) => e.type === 'progress' && e.metrics);
    expect(steps.map((e) => e.done)).toEqual([1, 2, 3]);
    for (const e of steps) {
      expect(e.total).toBe(3);
      expect(Number.isFinite(e.metrics.loss) && e.metrics.loss > 0).toBe(true);
      expect(e.metrics.etaMs).toBeGreaterThanOrEqual(0);
    }
    expect(steps.at(-1)!.metrics.etaMs).toBe(0);
    const result = resultOf(events);
    expect(result).toMatchObject({ contract: 'prompt-tuning', action: 'train', task: 'spam', steps: 3 });
    expect(result.losses.map((l: number) => Math.round(l * 1e4))).toEqual(
      steps.map((e) => Math.round(e.metrics.loss * 1e4)),
    );
    // Scored on the first 16 validation examples: a multiple of 1/16.
    expect(Number.isInteger(result.validationAccuracy * 16)).toBe(true);
    expect(result.adapter).toMatch(/^spam-dept-/);
    const { adapters } = (await (await fetch(url('/api/adapters'))).json()) as Loose;
    expect(adapters).toEqual([
      expect.objectContaining({ path: result.adapter, task: 'spam', labels: ['ham', 'spam'], steps: 3 }),
    ]);
    trained = result.adapter;
  });

  it('predicts with the trained adapter', async () => {
    const { events } = await runToEnd('dept', {
      action: 'predict',
      adapter: trained,
      prompt: 'Question: Is this message spam or ham? Subject: cheap meds online now, click here\nAnswer:',
      config: { predict: 'score', budgetTokens: 10 },
    });
    const result = resultOf(events);
    expect(result, JSON.stringify(events.at(-1))).toMatchObject({ action: 'predict', adapter: trained });
    expect(['ham', 'spam']).toContain(result.prediction);
    const scores = result.labelScores as Record<string, number>;
    expect(Object.keys(scores).sort()).toEqual(['ham', 'spam']);
    expect(scores[result.prediction]).toBe(Math.max(...Object.values(scores)));
  });

  it('cancels a training run after the step it is on; the next job runs', async () => {
    const response = await postJson('/api/run/prompt-tuning', {
      action: 'train',
      task: 'reuters',
      config: { steps: 500, batchSize: 4, budgetTokens: 6 },
    });
    const { job } = (await response.json()) as { job: string };
    const events: Loose[] = [];
    const reader = (await fetch(url(`/api/jobs/${job}/events`))).body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let cancelled = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const blocks = text.split('\n\n');
      text = blocks.pop()!;
      for (const block of blocks) {
        if (!block.includes('data: ')) continue;
        const event = JSON.parse(block.slice(block.indexOf('data: ') + 6));
        events.push(event);
        if (event.metrics && !cancelled) {
          cancelled = true;
          const c = await postJson(`/api/jobs/${job}/cancel`, {});
          expect(((await c.json()) as Loose).cancelled).toBe(true);
        }
      }
    }
    expect(events.at(-1).type).toBe('cancelled');
    const stepsRun = events.filter((e) => e.metrics).length;
    expect(stepsRun).toBeLessThan(10);
    expect(((await (await fetch(url(`/api/jobs/${job}`))).json()) as Loose).status).toBe('cancelled');
    const next = await runToEnd('c3po', { prompt: 'Is the word "awful" positive or negative?' });
    expect(resultOf(next.events).answer).toMatch(/positive|negative/);
  });

  it('refuses adapters outside the root, traversal, unknown adapters and tasks, and mixed fields', async () => {
    const predict = (adapter: string) =>
      postJson('/api/run/dept', { action: 'predict', adapter, prompt: 'hello' });
    const unknown = await predict('no-such-adapter');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Loose).error).toMatch(/not an adapter folder .*GET \/api\/adapters/);
    for (const outside of ['../../etc', '/etc', `${adapterRoot}/../`]) {
      const response = await predict(outside);
      expect(response.status, outside).toBe(400);
      expect(((await response.json()) as Loose).error).toMatch(/outside the adapter roots/);
    }
    const task = await postJson('/api/run/dept', { action: 'train', task: 'nope' });
    expect(task.status).toBe(400);
    expect(((await task.json()) as Loose).error).toMatch(/unknown task "nope"; the tasks are .*spam/);
    const traversalTask = await postJson('/api/run/dept', { action: 'train', task: '../../x' });
    expect(traversalTask.status).toBe(400);
    const noAction = await postJson('/api/run/dept', { prompt: 'x' });
    expect(((await noAction.json()) as Loose).error).toMatch(/action must be "predict" .* or "train"/);
    const limit = await postJson('/api/run/dept', { action: 'train', task: 'spam', validationExamples: -1 });
    expect(((await limit.json()) as Loose).error).toMatch(/validationExamples must be a whole number/);
    const mixed = await postJson('/api/run/dept', { action: 'train', task: 'spam', adapter: 'x' });
    expect(((await mixed.json()) as Loose).error).toMatch(/train takes no "adapter" field/);
    const model = await postJson('/api/run/dept', {
      action: 'train',
      task: 'spam',
      config: { model: '/etc' },
    });
    expect(model.status).toBe(400);
  });

  it('refuses other content types and cross-origin POSTs to the new routes', async () => {
    const text = await fetch(url('/api/run/dept'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'action=train',
    });
    expect(text.status).toBe(415);
    const form = await fetch(url('/api/run/dept'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=train&task=spam',
    });
    expect(form.status).toBe(415);
    const cross = await postJson(
      '/api/run/dept',
      { action: 'train', task: 'spam' },
      { origin: 'http://evil.example' },
    );
    expect(cross.status).toBe(403);
    const crossSite = await postJson('/api/run/c3po', { prompt: 'x' }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
  });

  it('reports a corrupt adapter as the job’s error and keeps serving', async () => {
    const broken = join(adapterRoot, 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'adapter_config.json'), '{"peft_type": "PROMPT_TUNING_LORA"');
    const { events } = await runToEnd('dept', { action: 'predict', adapter: 'broken', prompt: 'hello' });
    const error = events.at(-1);
    expect(error.type).toBe('error');
    expect(error.message).toMatch(/^adapter "broken": /);
    expect(error.message).not.toContain(adapterRoot);
    expect((await fetch(url('/api/plugins'))).status).toBe(200);
  });
});
