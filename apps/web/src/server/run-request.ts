// Reads a run request — multipart (the image in field `image`, the config as JSON in field `config`) or
// JSON (a bundled sample, or a prompt) — into checked fields. Every refusal names the field and what would
// be right.
import { DATASET_NAMES, type FloatImage } from '@attune/data';
import type { FastifyRequest } from 'fastify';
import { DATASET_CLASS_NAMES } from './class-sets.js';
import type { RunnableContract } from './contracts.js';
import { decodeUpload, formatBytes, type ImageLimits, ImageUploadError } from './image-upload.js';
import { loadSampleImage } from './samples.js';

export class RequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export interface RunRequest {
  readonly config: Record<string, unknown>;
  readonly seed: number;
  readonly image?: FloatImage;
  readonly classNames?: readonly string[];
  readonly label?: string;
  readonly prompt?: string;
  /** expert-remix: the answer options, when given. */
  readonly options?: readonly string[];
  /** prompt-tuning: predict with an adapter, or train one on a task. */
  readonly action?: 'predict' | 'train';
  /** prompt-tuning predict: the adapter folder, relative to an adapter root (checked by the caller). */
  readonly adapter?: string;
  /** prompt-tuning train: the pinned task's name. */
  readonly task?: string;
  /** prompt-tuning train: how many validation examples to score at the end (default: the whole split). */
  readonly validationExamples?: number;
}

const TEXT_FIELDS = new Set([
  'config',
  'seed',
  'sample',
  'classes',
  'prompt',
  'options',
  'action',
  'adapter',
  'task',
  'validationExamples',
]);

/** Fields that belong to other contracts are refused, naming the field, rather than ignored. */
function refuseFields(fields: Record<string, string>, names: readonly string[], what: string): void {
  for (const name of names) {
    if (fields[name] !== undefined) throw new RequestError(`${what} takes no "${name}" field`);
  }
}

function readPrompt(
  fields: Record<string, string>,
  what = 'prompt',
  role = 'the question to answer',
): string {
  const prompt = fields.prompt?.trim() ?? '';
  if (prompt === '') throw new RequestError(`${what} is required: ${role}`);
  if (prompt.length > 4000)
    throw new RequestError(`${what} is ${prompt.length} characters; the limit is 4000`);
  return prompt;
}

/** The raw fields of either body type. */
async function readFields(
  request: FastifyRequest,
  limits: ImageLimits,
): Promise<{ fields: Record<string, string>; upload?: { bytes: Buffer; type: string } }> {
  if (!request.isMultipart()) {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new RequestError('expected a JSON object body or multipart/form-data', 400);
    }
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (!TEXT_FIELDS.has(key))
        throw new RequestError(`unknown field "${key}"; fields: ${[...TEXT_FIELDS].join(', ')}, image`);
      fields[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return { fields };
  }
  const fields: Record<string, string> = {};
  let upload: { bytes: Buffer; type: string } | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'image') {
          throw new RequestError(
            `unexpected file field "${part.fieldname}"; send the image in the field "image"`,
          );
        }
        const bytes = await part.toBuffer();
        upload = { bytes, type: part.mimetype };
      } else {
        if (!TEXT_FIELDS.has(part.fieldname)) {
          throw new RequestError(
            `unknown field "${part.fieldname}"; fields: ${[...TEXT_FIELDS].join(', ')}, image`,
          );
        }
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new RequestError(
        `the image is larger than the upload limit of ${formatBytes(limits.maxBytes)}`,
        413,
      );
    }
    throw error;
  }
  return upload ? { fields, upload } : { fields };
}

function parseConfig(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RequestError(`config must be JSON, e.g. {"steps": 1}: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RequestError('config must be a JSON object, e.g. {"steps": 1}');
  }
  return value as Record<string, unknown>;
}

function parseSeed(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) {
    throw new RequestError(`seed must be an integer in 0..2147483647, got "${text}"`);
  }
  return seed;
}

/** Answer options: a comma-separated list of at least two distinct words. */
function parseOptions(text: string): string[] {
  const list = text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (list.length < 2 || new Set(list).size !== list.length) {
    throw new RequestError(
      `options must be a comma-separated list of at least two distinct answers (e.g. "positive,negative"), got "${text}"`,
    );
  }
  return list;
}

/** A class set: a dataset's names ("mnist", "fashion-mnist") or a comma-separated list of at least two. */
function parseClasses(text: string): string[] {
  const named = DATASET_CLASS_NAMES[text];
  if (named) return [...named];
  const list = text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (list.length < 2) {
    throw new RequestError(
      `classes must be a dataset (${DATASET_NAMES.join(', ')}) or a comma-separated list of at least two class names, got "${text}"`,
    );
  }
  if (new Set(list).size !== list.length) throw new RequestError('classes: each class name must appear once');
  return list;
}

export async function readRunRequest(
  request: FastifyRequest,
  contract: RunnableContract,
  limits: ImageLimits,
): Promise<RunRequest> {
  const { fields, upload } = await readFields(request, limits);
  const config = parseConfig(fields.config);
  const seed = parseSeed(fields.seed);
  if (contract !== 'image-classifier' && (upload || fields.sample !== undefined))
    throw new RequestError('a text method takes a prompt, not an image');
  if (contract === 'text-answer') {
    refuseFields(
      fields,
      ['classes', 'options', 'action', 'adapter', 'task', 'validationExamples'],
      'a text-answer method',
    );
    return { config, seed, prompt: readPrompt(fields) };
  }
  if (contract === 'expert-remix') {
    refuseFields(
      fields,
      ['classes', 'action', 'adapter', 'task', 'validationExamples'],
      'an expert-remix method',
    );
    const prompt = readPrompt(fields);
    return fields.options === undefined || fields.options.trim() === ''
      ? { config, seed, prompt }
      : { config, seed, prompt, options: parseOptions(fields.options) };
  }
  if (contract === 'prompt-tuning') {
    refuseFields(fields, ['classes', 'options'], 'a prompt-tuning method');
    if (fields.action === 'predict') {
      refuseFields(fields, ['task', 'validationExamples'], "predict (it uses the adapter's task)");
      const adapter = fields.adapter?.trim() ?? '';
      if (adapter === '')
        throw new RequestError(
          'adapter is required to predict: a folder under an adapter root (GET /api/adapters)',
        );
      return {
        config,
        seed,
        action: 'predict',
        adapter,
        prompt: readPrompt(fields, 'prompt', 'the text to classify'),
      };
    }
    if (fields.action === 'train') {
      refuseFields(fields, ['adapter', 'prompt'], 'train');
      const task = fields.task?.trim() ?? '';
      if (task === '')
        throw new RequestError('task is required to train: a pinned task name (GET /api/tasks)');
      const limit = fields.validationExamples;
      if (limit === undefined || limit === '') return { config, seed, action: 'train', task };
      const n = Number(limit);
      if (!Number.isInteger(n) || n < 0 || n > 100_000)
        throw new RequestError(
          `validationExamples must be a whole number ≥ 0 (0: no validation), got "${limit}"`,
        );
      return { config, seed, action: 'train', task, validationExamples: n };
    }
    throw new RequestError(
      `action must be "predict" (with adapter and prompt) or "train" (with task), got ${fields.action === undefined ? 'none' : `"${fields.action}"`}`,
    );
  }
  if (fields.prompt !== undefined) throw new RequestError('an image method takes an image, not a prompt');
  refuseFields(fields, ['options', 'action', 'adapter', 'task', 'validationExamples'], 'an image method');
  if (upload && fields.sample !== undefined)
    throw new RequestError('send either an image or a sample, not both');
  if (upload) {
    let image: FloatImage;
    try {
      image = decodeUpload(upload.bytes, upload.type, limits);
    } catch (error) {
      if (error instanceof ImageUploadError) throw new RequestError(error.message, error.status);
      throw error;
    }
    if (fields.classes === undefined) {
      throw new RequestError(
        `classes is required with an uploaded image: ${DATASET_NAMES.join(', ')} or a,b,c`,
      );
    }
    return { config, seed, image, classNames: parseClasses(fields.classes) };
  }
  if (fields.sample === undefined)
    throw new RequestError('send an image (field "image") or a bundled sample id (field "sample")');
  const loaded = loadSampleImage(fields.sample);
  if (!loaded)
    throw new RequestError(`no bundled sample "${fields.sample}"; GET /api/samples lists them`, 404);
  const classNames = fields.classes === undefined ? loaded.sample.classNames : parseClasses(fields.classes);
  return { config, seed, image: loaded.image, classNames, label: loaded.sample.label };
}
