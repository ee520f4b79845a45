// The web app's server: the JSON API under /api (documented in README.md and at GET /api) and the built UI,
// from one Fastify process over the registry it is given (the CLI passes the one it discovered).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidConfigError, pluginInfo, type Registry, UnknownPluginError } from '@attune/registry';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { listAdapters, resolveAdapter } from './adapters.js';
import { API_INDEX } from './api-index.js';
import { BenchRuns } from './bench-runs.js';
import { DATASET_CLASS_NAMES } from './class-sets.js';
import { contractOf, type RunnableContract } from './contracts.js';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-upload.js';
import { InstanceCache } from './instances.js';
import { type JobEvent, JobQueue, type JobWork } from './jobs.js';
import { checkModelSources, ModelSourceError } from './model-sources.js';
import { originGuard } from './origin-guard.js';
import { encodePng } from './png.js';
import { describeTasks, type PromptTaskSource } from './prompt-tasks.js';
import { runImageMethod } from './run-image.js';
import { runRemixMethod } from './run-remix.js';
import { RequestError, type RunRequest, readRunRequest } from './run-request.js';
import { runTextMethod } from './run-text.js';
import { runTunerPredict, runTunerTrain } from './run-tuner.js';
import { listSamples, loadSampleImage } from './samples.js';

export interface WebAppOptions {
  readonly registry: Registry;
  /** The benchmark result store to show (a results.sqlite); none: the benchmarks page says so. */
  readonly resultStore?: string;
  /** Folders model paths may point into; empty: only zoo ids. */
  readonly modelRoots?: readonly string[];
  /** Folders prompt-tuning adapters are loaded from (and trained ones written to, the first); empty: none. */
  readonly adapterRoots?: readonly string[];
  /** The tasks prompt tuners may be trained on (`attune serve` passes @attune/method-dept's pinned tasks). */
  readonly promptTasks?: PromptTaskSource;
  readonly limits?: ImageLimits;
  /** Host names the server answers to besides loopback (its --host). */
  readonly allowedHosts?: readonly string[];
  /** The built UI (default: dist/ui beside this file). */
  readonly uiDir?: string;
  readonly logger?: boolean;
}

export interface WebApp {
  readonly server: FastifyInstance;
  readonly jobs: JobQueue;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const TERMINAL = new Set<JobEvent['type']>(['result', 'error', 'cancelled']);

export async function createWebApp(options: WebAppOptions): Promise<WebApp> {
  const { registry } = options;
  const limits = options.limits ?? DEFAULT_IMAGE_LIMITS;
  const roots = options.modelRoots ?? [];
  const adapterRoots = options.adapterRoots ?? [];
  const tasks = options.promptTasks;
  const jobs = new JobQueue();
  const instances = new InstanceCache(registry);
  const runs = new BenchRuns(options.resultStore);
  const server = Fastify({ logger: options.logger ?? false, bodyLimit: 256 * 1024 });

  // JSON and multipart only: every other content type is answered 415 by Fastify.
  server.removeContentTypeParser('text/plain');
  await server.register(multipart, {
    limits: { fileSize: limits.maxBytes, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 11 },
  });
  server.addHook('onRequest', originGuard(options.allowedHosts ?? []));
  server.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
    );
  });
  server.setErrorHandler((error: unknown, _request, reply) => {
    const { statusCode, status: own } = error as { statusCode?: number; status?: number };
    const status = statusCode ?? (error instanceof RequestError ? own : undefined) ?? 500;
    reply
      .code(status >= 400 ? status : 500)
      .send({ error: error instanceof Error ? error.message : String(error) });
  });

  const methodPlugin = (name: string) => {
    try {
      return registry.get(name);
    } catch (error) {
      if (error instanceof UnknownPluginError) throw new RequestError(error.message, 404);
      throw error;
    }
  };
  const describe = (name: string) => {
    const plugin = registry.get(name);
    return { ...pluginInfo(plugin), contract: contractOf(plugin), unmetNeeds: registry.unmetNeeds(name) };
  };
  /** Parses a config as `create` would and checks its model sources; problems come back as 400. */
  const checkConfig = (name: string, raw: unknown): Record<string, unknown> => {
    const config = registry.parseConfig(name, raw) as Record<string, unknown>;
    checkModelSources(config, roots);
    return config;
  };

  /** The job for a checked run request; inputs a request names (adapter, task) are resolved here, before queueing. */
  const workFor = (
    name: string,
    contract: RunnableContract,
    config: Record<string, unknown>,
    body: RunRequest,
  ): JobWork => {
    const { seed } = body;
    if (contract === 'image-classifier') {
      const input = {
        plugin: name,
        config,
        image: body.image!,
        classNames: body.classNames!,
        seed,
        ...(body.label !== undefined ? { label: body.label } : {}),
      };
      return (context) => runImageMethod(registry, instances, input, context);
    }
    if (contract === 'text-answer')
      return (context) =>
        runTextMethod(instances, { plugin: name, config, prompt: body.prompt!, seed }, context);
    if (contract === 'expert-remix') {
      const input = {
        plugin: name,
        config,
        prompt: body.prompt!,
        seed,
        ...(body.options ? { options: body.options } : {}),
      };
      return (context) => runRemixMethod(instances, input, context);
    }
    if (body.action === 'predict') {
      const adapterDir = resolveAdapter(body.adapter!, adapterRoots);
      const input = { plugin: name, config, adapterDir, adapter: body.adapter!, text: body.prompt!, seed };
      return (context) => runTunerPredict(instances, input, context);
    }
    if (!tasks)
      throw new RequestError('this server has no tasks to train on (start it with attune serve)', 409);
    const known = tasks.names();
    if (!known.includes(body.task!))
      throw new RequestError(
        `unknown task "${body.task}"; the tasks are ${known.join(', ')} (GET /api/tasks)`,
      );
    const pinned = tasks.load(body.task!);
    const n = body.validationExamples;
    const task =
      n === undefined
        ? pinned
        : n === 0
          ? (({ validation: _v, ...rest }) => rest)(pinned)
          : { ...pinned, ...(pinned.validation ? { validation: pinned.validation.slice(0, n) } : {}) };
    const folder = `${task.name}-${name}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${Math.random().toString(36).slice(2, 6)}`;
    const input = {
      plugin: name,
      config,
      task,
      seed,
      ...(adapterRoots.length > 0 ? { saveTo: [adapterRoots[0]!, folder] as const } : {}),
    };
    return (context) => runTunerTrain(instances, input, context);
  };

  server.get('/api', async () => API_INDEX);

  server.get('/api/plugins', async () => ({
    plugins: registry.names().map(describe),
  }));

  server.get<{ Params: { name: string } }>('/api/plugins/:name', async (request) => {
    methodPlugin(request.params.name);
    return describe(request.params.name);
  });

  server.post<{ Params: { name: string } }>('/api/plugins/:name/check-config', async (request, reply) => {
    methodPlugin(request.params.name);
    try {
      checkConfig(request.params.name, request.body ?? {});
      return { ok: true, problems: [] };
    } catch (error) {
      if (error instanceof InvalidConfigError) return { ok: false, problems: error.problems };
      if (error instanceof ModelSourceError) {
        const path = error.message.split(':')[0]!;
        return {
          ok: false,
          problems: [{ path, expected: 'a zoo id or a folder under a model root', got: error.message }],
        };
      }
      return reply.code(400).send({ error: (error as Error).message });
    }
  });

  server.get('/api/tasks', async () => ({ tasks: describeTasks(tasks) }));

  server.get('/api/adapters', async () => ({
    roots: adapterRoots.length,
    writable: adapterRoots.length > 0,
    adapters: listAdapters(adapterRoots).map(({ root: _root, ...rest }) => rest),
  }));

  server.get('/api/samples', async () => ({ samples: listSamples(), classSets: DATASET_CLASS_NAMES }));

  server.get<{ Params: { id: string } }>('/api/samples/:id/image.png', async (request, reply) => {
    const loaded = loadSampleImage(request.params.id);
    if (!loaded) return reply.code(404).send({ error: `no bundled sample "${request.params.id}"` });
    return reply.type('image/png').header('cache-control', 'max-age=3600').send(encodePng(loaded.image, 4));
  });

  server.post<{ Params: { name: string } }>('/api/run/:name', async (request, reply) => {
    const name = request.params.name;
    const plugin = methodPlugin(name);
    const contract = contractOf(plugin);
    if (contract === 'none') {
      throw new RequestError(
        `"${name}" is a ${plugin.kind} plugin without a runnable contract (it provides ${plugin.provides.join(', ') || 'nothing'}); run takes image-classification, text-answer, expert-remix or prompt-tuning methods`,
      );
    }
    const unmet = registry.unmetNeeds(name);
    if (unmet.length > 0)
      throw new RequestError(`${name} needs ${unmet.join(', ')}, which no installed plugin provides`, 409);
    const body = await readRunRequest(request, contract, limits);
    let config: Record<string, unknown>;
    try {
      config = checkConfig(name, body.config);
    } catch (error) {
      if (error instanceof InvalidConfigError)
        return reply.code(400).send({ error: error.message, problems: error.problems });
      if (error instanceof ModelSourceError) return reply.code(400).send({ error: error.message });
      throw error;
    }
    const job = jobs.submit(name, workFor(name, contract, config, body));
    return reply.code(202).send({
      job: job.id,
      status: job.status,
      events: `/api/jobs/${job.id}/events`,
      self: `/api/jobs/${job.id}`,
    });
  });

  const findJob = (id: string) => {
    const job = jobs.get(id);
    if (!job)
      throw new RequestError(`no job "${id}" (finished jobs are kept for a while, then forgotten)`, 404);
    return job;
  };

  server.get<{ Params: { id: string } }>('/api/jobs/:id', async (request) =>
    findJob(request.params.id).toJSON(),
  );

  server.get<{ Params: { id: string } }>('/api/jobs/:id/events', async (request, reply) => {
    const job = findJob(request.params.id);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    let ended = false;
    let unsubscribe = () => {};
    const send = (event: JobEvent) => {
      if (ended) return;
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (TERMINAL.has(event.type)) {
        ended = true;
        res.end();
      }
    };
    unsubscribe = job.subscribe(send);
    if (ended) unsubscribe();
    request.raw.on('close', () => {
      ended = true;
      unsubscribe();
    });
  });

  server.post<{ Params: { id: string } }>('/api/jobs/:id/cancel', async (request) => {
    const job = findJob(request.params.id);
    return { cancelled: jobs.cancel(job.id), status: job.status };
  });

  server.get<{ Params: { id: string; file: string } }>(
    '/api/jobs/:id/files/:file',
    async (request, reply) => {
      const bytes = findJob(request.params.id).files.get(request.params.file);
      if (!bytes) return reply.code(404).send({ error: `job has no file "${request.params.file}"` });
      return reply.type('image/png').send(bytes);
    },
  );

  const seedFilter = (text: string | undefined) => {
    if (text === undefined || text === '') return undefined;
    const seed = Number(text);
    if (!Number.isInteger(seed) || seed < 0)
      throw new RequestError(`seed must be a non-negative integer, got "${text}"`);
    return seed;
  };
  const textFilter = (text: string | undefined) => (text === undefined || text === '' ? undefined : text);

  server.get<{ Querystring: { suite?: string; method?: string; seed?: string } }>(
    '/api/runs',
    async (request) => {
      const { suite, method, seed } = request.query;
      const filter = {
        ...(textFilter(suite) !== undefined ? { suite: suite! } : {}),
        ...(textFilter(method) !== undefined ? { method: method! } : {}),
        ...(seedFilter(seed) !== undefined ? { seed: seedFilter(seed)! } : {}),
      };
      return { store: runs.available ? runs.path : null, runs: runs.list(filter) };
    },
  );

  server.get<{ Params: { id: string }; Querystring: { method?: string; seed?: string } }>(
    '/api/runs/:id',
    async (request, reply) => {
      const { method, seed } = request.query;
      const detail = await runs.detail(request.params.id, {
        ...(textFilter(method) !== undefined ? { method: method! } : {}),
        ...(seedFilter(seed) !== undefined ? { seed: seedFilter(seed)! } : {}),
      });
      if (!detail)
        return reply.code(404).send({ error: `no run "${request.params.id}" in the result store` });
      return detail;
    },
  );

  server.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api'))
      return reply
        .code(404)
        .send({ error: `no API route ${request.method} ${request.url}; GET /api lists them` });
    return reply.code(404).send({ error: 'not found' });
  });

  // dist/server/app.js and src/server/app.ts (tests) both serve the built dist/ui.
  const uiDir = options.uiDir ?? join(here, '..', '..', 'dist', 'ui');
  if (existsSync(join(uiDir, 'index.html'))) {
    await server.register(fastifyStatic, { root: uiDir, prefix: '/', index: 'index.html', wildcard: false });
  } else {
    server.get('/', async (_request, reply) =>
      reply.type('text/plain').send(`the UI is not built (${uiDir}); run pnpm --filter @attune/web build`),
    );
  }

  return {
    server,
    jobs,
    async close() {
      jobs.cancelAll();
      await server.close();
      await jobs.idle();
      await instances.dispose();
    },
  };
}
