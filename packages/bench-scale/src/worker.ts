// One (method, C) case in its own process (started by runner.ts with the case in ATTUNE_BENCH_CASE): load the
// method through the registry, do the one-time per-class-set work, then warm-up and timed samples, reporting
// each step to the parent over IPC. Errors are caught and reported with the stage they happened in.

import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { tfjsBackendPlugin } from '@attune/backend-tfjs/plugin';
import type { ClassifyResult, ImageClassifierMethod } from '@attune/contracts';
import { augmentViews } from '@attune/data';
import { DiffTptClassifier, difftptPlugin } from '@attune/method-difftpt';
import { StsClassifier, sts, stsEnsemble } from '@attune/method-sts';
import { classChunkFor, TptClassifier, tptPlugin } from '@attune/method-tpt';
import { ZeroShotClassifier, zeroshot, zeroshotEnsemble } from '@attune/method-zeroshot';
import { clipModelPlugin, imageVariationPlugin, type VisionLanguageModel } from '@attune/models';
import { Registry } from '@attune/registry';
import { tf } from '@attune/tensor';
import { syntheticClassNames } from './class-names.js';
import { loadPhotos, type Photo } from './photos.js';
import { rawStageTimes } from './stages.js';
import { CLIP_IMAGENET_ENSEMBLE } from './templates.js';
import type { CaseSpec, SampleRecord, TfMemory, WorkerMessage } from './types.js';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      console.log(JSON.stringify(message));
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

let stage = 'start';
async function enter(next: string): Promise<void> {
  stage = next;
  await send({ type: 'stage', stage: next });
}

/** Size of the tfjs-wasm heap (its high-water mark: wasm memory never shrinks), when wasm is active. */
function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.length;
}

function tfMemory(): TfMemory {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
}

const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

function registry(): Registry {
  const r = new Registry()
    .register(onnxBackendPlugin)
    .register(tfjsBackendPlugin)
    .register(clipModelPlugin)
    .register(imageVariationPlugin);
  for (const plugin of [zeroshot, zeroshotEnsemble, sts, stsEnsemble, tptPlugin, difftptPlugin])
    r.register(plugin);
  return r;
}

/** The method's config: the paper defaults, on the shaped model; ensembles use CLIP's 7 ImageNet templates. */
function methodConfig(spec: CaseSpec): Record<string, unknown> {
  switch (spec.method) {
    case 'zeroshot':
      return { model: spec.model };
    case 'sts':
      return { model: spec.model, views: spec.views };
    case 'sts-ensemble':
      return { model: spec.model, views: spec.views, templates: [...CLIP_IMAGENET_ENSEMBLE] };
    case 'tpt':
      return { model: spec.model, views: spec.views, ...chunkConfig(spec) };
    case 'difftpt':
      return { model: spec.model, ...chunkConfig(spec) };
  }
}

/** TPT/DiffTPT's classChunk when the case sets one (else the method's default). */
function chunkConfig(spec: CaseSpec): { classChunk?: number } {
  return spec.chunk !== undefined ? { classChunk: spec.chunk } : {};
}

/** DiffTPT's 63 generated views, precomputed (as the released code reads them from --diff_root). */
function generatedViews(photo: Photo, count: number, size: number, seed: number): tf.Tensor4D {
  // No image-variation model at 224² exists here: stand-ins are further crops of the same photo. The cost
  // measured (encoding 63 more views, the cosine + entropy filter, 4 steps) does not depend on the pixels.
  const floats = new Float32Array(photo.image.width * photo.image.height * 3);
  const { width, height, data } = photo.image;
  const plane = width * height;
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) floats[c * plane + i] = data[i * 3 + c]! / 255;
  const views = augmentViews({ width, height, channels: 3, data: floats }, { views: count, size, seed });
  return tf.tensor4d(views.data, [...views.shape] as [number, number, number, number]);
}

async function main(): Promise<void> {
  const raw = process.env.ATTUNE_BENCH_CASE;
  if (!raw) throw new Error('ATTUNE_BENCH_CASE is not set: this file is started by the benchmark runner');
  const spec = JSON.parse(raw) as CaseSpec;
  const classNames = syntheticClassNames(spec.classes);
  const photos = loadPhotos();
  const notes: string[] = [];

  await enter('load');
  let start = performance.now();
  const method = await registry().create<ImageClassifierMethod<VisionLanguageModel>>(
    spec.method,
    methodConfig(spec),
    { seed: 0 },
  );
  const model = method.model;
  if (spec.method === 'tpt' || spec.method === 'difftpt') await model.prepareGradients(); // the tfjs graph
  await send({
    type: 'loaded',
    ms: performance.now() - start,
    rssBytes: process.memoryUsage().rss,
    backend: method.backend,
    tfBackend: tf.getBackend(),
  });

  await enter('one-time setup');
  start = performance.now();
  let what: string;
  let chunk: number | undefined; // TPT/DiffTPT's prompts per pass of the text encoder
  if (method instanceof StsClassifier) {
    const { space } = await method.basisFor(classNames);
    what = `${method.templates.length} template(s) × ${spec.classes} prompts through the text tower + SVD (k = ${space.rank})`;
  } else if (method instanceof ZeroShotClassifier) {
    await model.classPrototypes(classNames, method.templates);
    what = `${method.templates.length} template(s) × ${spec.classes} prompts through the text tower`;
  } else if (method instanceof TptClassifier || method instanceof DiffTptClassifier) {
    // What their first classify would do once and keep: the prompts' token embeddings and, when the class
    // set is chunked, its text features at the initial context (every sample starts from that context).
    await method.prepareClasses(classNames);
    chunk = classChunkFor(method.config.classChunk, {
      length: model.contextLength,
      width: model.tokenEmbedDim,
    });
    const passes = Math.ceil(spec.classes / chunk);
    what =
      passes > 1
        ? `token embeddings of ${spec.classes} prompts + their text features at the initial context (${passes} passes of ≤ ${chunk} prompts, no tape); the tuning's taped passes run per sample`
        : `token embeddings of ${spec.classes} prompts (the text tower runs per sample, with gradients, in one pass)`;
  } else {
    throw new Error(`no one-time setup known for ${spec.method}`);
  }
  await send({ type: 'setup', ms: performance.now() - start, what, rssBytes: process.memoryUsage().rss });

  const total = spec.warmup + spec.samples;
  for (let i = 0; i < total; i++) {
    const warmup = i < spec.warmup;
    const index = warmup ? i : i - spec.warmup;
    const photo = photos[index % photos.length]!;
    const seed = warmup ? 1000 + i : index;
    await enter(`${warmup ? 'warm-up' : 'timed'} sample ${index + 1} (${photo.name})`);
    const input: { image: Photo['image']; classNames: string[]; generatedViews?: tf.Tensor4D } = {
      image: photo.image,
      classNames,
    };
    if (spec.method === 'difftpt')
      input.generatedViews = generatedViews(photo, 63, model.imageSize, 5000 + seed);
    let result: ClassifyResult;
    const cpuStart = process.cpuUsage();
    start = performance.now();
    try {
      result = await method.classify(input, { seed });
    } finally {
      input.generatedViews?.dispose();
    }
    const totalMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const record: SampleRecord = {
      image: photo.name,
      seed,
      totalMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      stages: rawStageTimes(result.adaptation.ms),
      maxRssBytes: maxRssBytes(),
      tfMemory: tfMemory(),
      ...(wasmHeapBytes() !== undefined ? { wasmHeapBytes: wasmHeapBytes()! } : {}),
      facts: { ...facts(result), ...(chunk !== undefined ? { chunk } : {}) },
    };
    await send({ type: 'sample', warmup, record });
  }
  if (spec.method === 'difftpt') {
    notes.push('63 generated views precomputed (stand-ins: extra crops); generation not timed');
  }
  if (spec.method === 'zeroshot') notes.push('encodes view 0 only');
  await finish(method, notes);
}

async function finish(method: ImageClassifierMethod<VisionLanguageModel>, notes: string[]): Promise<void> {
  await enter('dispose');
  const backend = method.backend;
  const tfBackend = tf.getBackend();
  const heap = wasmHeapBytes();
  const memory = tfMemory();
  await method.dispose();
  await send({
    type: 'done',
    maxRssBytes: maxRssBytes(),
    backend,
    tfBackend,
    tfMemory: memory,
    ...(heap !== undefined ? { wasmHeapBytes: heap } : {}),
    notes,
  });
}

function facts(result: ClassifyResult): Record<string, number> {
  const a = result.adaptation as ClassifyResult['adaptation'] & { k?: number };
  const out: Record<string, number> = {};
  if (a.viewsKept !== undefined) out.viewsKept = a.viewsKept;
  if (a.steps !== undefined) out.steps = a.steps;
  if (typeof a.k === 'number') out.k = a.k;
  return out;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.message.split('\n')[0]}${cause}`;
}

try {
  await main();
  process.exit(0);
} catch (error) {
  let tfBackend: string | undefined;
  try {
    tfBackend = tf.getBackend();
  } catch {
    tfBackend = undefined;
  }
  const heap = tfBackend === 'wasm' ? wasmHeapBytes() : undefined;
  await send({
    type: 'error',
    stage,
    message: describeError(error),
    ...(heap !== undefined ? { wasmHeapBytes: heap } : {}),
    ...(tfBackend !== undefined ? { tfBackend } : {}),
  });
  process.exit(1);
}
