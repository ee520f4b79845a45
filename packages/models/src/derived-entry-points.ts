// The ONNX files a CLIP folder may lack, derived by graph surgery (@attune/backend-onnx/surgery) and cached:
// - text_model_embeds.onnx + token_embedding.onnx cut from text_model.onnx, so prompt tuning (TPT, DiffTPT)
//   runs on any text export without Python; the cut graph is checked against the original on real prompts
//   (max |diff| <= 1e-5) before it is used;
// - model_embeds.onnx + embed_tokens.onnx cut from a decoder LM's model.onnx (zoo:mini-moe ships none), so
//   soft prompts (DePT's PromptLM) run on it; checked against the original's outputs on real prompts, left- and
//   right-padded (and with a routing override on an MoE), before it is used;
// - text_model.onnx + vision_model.onnx cut from a combined onnx/model.onnx (Optimum's CLIPModel layout).
// The cache is keyed by the source file's sha256 ($ATTUNE_CACHE_DIR/surgery/<sha>/), so an edited export
// is cut again and the user's folder is never written to.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { OnnxBackend } from '@attune/backend-onnx';
import {
  cutDecoderEmbedsEntry,
  cutTextEmbedsEntry,
  decodeModel,
  encodeModel,
  extractSubgraph,
  GraphSurgeryError,
  verifyDecoderEmbedsCut,
  verifyTextEmbedsCut,
} from '@attune/backend-onnx/surgery';
import type { ClipTokenizer } from './clip-tokenizer.js';
import { CHECK_QUESTIONS, type DecoderConfig, decoderFeeds } from './decoder-check-feeds.js';
import type { LmTokenizer } from './lm-tokenizer.js';

/** The largest |cut - original| text_embeds difference a derived entry point may have. */
export const CUT_TOLERANCE = 1e-5;

/** Prompts the cut is checked on: short, long and truncated, so the pooled position varies. */
const CHECK_PROMPTS = [
  'a photo of a dog.',
  'a',
  'a blurry photo of the number seven, written by hand.',
  'itap of a cat. '.repeat(40),
];

export function surgeryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.ATTUNE_CACHE_DIR ?? join(homedir(), '.cache', 'attune'), 'surgery');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Writes a file so that a killed process never leaves half of it under the final name. */
function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export interface DerivedTextEmbeds {
  readonly textModelEmbeds: string;
  readonly tokenEmbedding: string;
  readonly maxAbsDiff: number;
  readonly cached: boolean;
}

/**
 * text_model_embeds.onnx and token_embedding.onnx for `textModelPath`, from the cache or cut now and checked
 * against the original with the model's own tokenizer (its pooling convention included).
 */
export async function deriveTextEmbeds(
  textModelPath: string,
  backend: OnnxBackend,
  tokenizer: ClipTokenizer,
  notice: (message: string) => void,
): Promise<DerivedTextEmbeds> {
  const bytes = readFileSync(textModelPath);
  const dir = join(surgeryCacheDir(), sha256(bytes).slice(0, 32));
  const files = {
    textModelEmbeds: join(dir, 'text_model_embeds.onnx'),
    tokenEmbedding: join(dir, 'token_embedding.onnx'),
    check: join(dir, 'check.json'),
  };
  if (existsSync(files.check) && existsSync(files.textModelEmbeds) && existsSync(files.tokenEmbedding)) {
    const check = JSON.parse(readFileSync(files.check, 'utf8')) as { maxAbsDiff: number };
    notice(`${textModelPath}: using the inputs_embeds entry point cut from it earlier (cached in ${dir})`);
    return { ...files, maxAbsDiff: check.maxAbsDiff, cached: true };
  }
  let cut: ReturnType<typeof cutTextEmbedsEntry>;
  try {
    cut = cutTextEmbedsEntry(decodeModel(bytes));
  } catch (error) {
    if (error instanceof GraphSurgeryError) {
      throw new Error(
        `${textModelPath} has no inputs_embeds entry point and none can be cut from it: ${error.message}. ` +
          'Export one with packages/models/scripts/export_hf_clip.py (onnx/text_model_embeds.onnx)',
      );
    }
    throw error;
  }
  const cutBytes = encodeModel(cut.textModelEmbeds);
  const embeddingBytes = encodeModel(cut.tokenEmbedding);
  const { ids, eotIndex } = tokenizer.tokenize(CHECK_PROMPTS);
  const check = await verifyTextEmbedsCut(
    backend,
    { original: textModelPath, cut: cutBytes, tokenEmbedding: embeddingBytes },
    ids,
    CHECK_PROMPTS.length,
    eotIndex,
  );
  if (!(check.maxAbsDiff <= CUT_TOLERANCE)) {
    throw new Error(
      `the inputs_embeds entry point cut from ${textModelPath} differs from it by ${check.maxAbsDiff.toExponential(2)} ` +
        `(more than ${CUT_TOLERANCE}) on ${check.prompts} prompts, so it is not used; expected the text tower to pool ` +
        `at ${tokenizer.pooling === 'argmax' ? 'argmax(input_ids)' : 'the first end token'} as config.json implies`,
    );
  }
  mkdirSync(dir, { recursive: true });
  writeAtomic(files.textModelEmbeds, cutBytes);
  writeAtomic(files.tokenEmbedding, embeddingBytes);
  writeAtomic(
    files.check,
    `${JSON.stringify({ source: textModelPath, maxAbsDiff: check.maxAbsDiff, prompts: check.prompts, ...cut.report }, null, 2)}\n`,
  );
  notice(
    `${textModelPath} has no inputs_embeds entry point: cut one by graph surgery (token-embedding Gather ` +
      `'${cut.report.tokenGather}' -> input inputs_embeds, pooling ArgMax '${cut.report.pooling}' -> input eot_index); ` +
      `it matches the original to ${check.maxAbsDiff.toExponential(1)} on ${check.prompts} prompts; cached in ${dir}`,
  );
  return { ...files, maxAbsDiff: check.maxAbsDiff, cached: false };
}

export interface DerivedDecoderEmbeds {
  /** inputs_embeds + the decoder's other inputs -> its outputs. */
  readonly decoderEmbeds: string;
  /** input_ids -> inputs_embeds. */
  readonly tokenEmbedding: string;
  readonly maxAbsDiff: number;
  readonly cached: boolean;
}

/**
 * model_embeds.onnx and embed_tokens.onnx for a decoder LM's `decoderPath`, from the cache or cut now and
 * checked against the original: every output, on CHECK_QUESTIONS through the model's prompt template, in a
 * left-padded and a right-padded batch (and, on an MoE, a left-padded batch with a routing override on the
 * last half of the layers), max |diff| <= CUT_TOLERANCE.
 */
export async function deriveDecoderEmbeds(
  decoderPath: string,
  backend: OnnxBackend,
  model: { readonly config: DecoderConfig; readonly tokenizer: LmTokenizer },
  notice: (message: string) => void,
): Promise<DerivedDecoderEmbeds> {
  const bytes = readFileSync(decoderPath);
  const dir = join(surgeryCacheDir(), sha256(bytes).slice(0, 32));
  const files = {
    decoderEmbeds: join(dir, 'model_embeds.onnx'),
    tokenEmbedding: join(dir, 'embed_tokens.onnx'),
    check: join(dir, 'decoder_check.json'),
  };
  if (existsSync(files.check) && existsSync(files.decoderEmbeds) && existsSync(files.tokenEmbedding)) {
    const check = JSON.parse(readFileSync(files.check, 'utf8')) as { maxAbsDiff: number };
    notice(`${decoderPath}: using the inputs_embeds entry point cut from it earlier (cached in ${dir})`);
    return { ...files, maxAbsDiff: check.maxAbsDiff, cached: true };
  }
  const original = decodeModel(bytes);
  let cut: ReturnType<typeof cutDecoderEmbedsEntry>;
  try {
    cut = cutDecoderEmbedsEntry(original);
  } catch (error) {
    if (error instanceof GraphSurgeryError) {
      throw new Error(
        `${decoderPath} has no inputs_embeds entry point and none can be cut from it: ${error.message}. ` +
          'Export one with packages/zoo/recipes/attune_recipes/gpt.py (export_decoder(..., from_embeds=True), export_embed_tokens)',
      );
    }
    throw error;
  }
  const cutBytes = encodeModel(cut.decoderEmbeds);
  const embeddingBytes = encodeModel(cut.tokenEmbedding);
  const { config, tokenizer } = model;
  const inputNames = (original.graph?.input ?? []).map((i) => i.name ?? '');
  const prompts = CHECK_QUESTIONS.map((q) =>
    (config.promptTemplate ?? '{question}').replace('{question}', q),
  );
  const batches = [
    decoderFeeds(config, tokenizer, prompts, { padding: 'left', inputNames }),
    decoderFeeds(config, tokenizer, prompts, { padding: 'right', inputNames }),
  ];
  if (config.kind === 'moe-lm') {
    const layers = Array.from(
      { length: Math.ceil(config.numLayers / 2) },
      (_, i) => config.numLayers - 1 - i,
    );
    batches.push(
      decoderFeeds(config, tokenizer, prompts, { padding: 'left', inputNames, overrideLayers: layers }),
    );
  }
  const outputs = (original.graph?.output ?? []).map((o) => o.name ?? '');
  const check = await verifyDecoderEmbedsCut(
    backend,
    { original: decoderPath, cut: cutBytes, tokenEmbedding: embeddingBytes },
    batches,
    outputs,
  );
  if (!(check.maxAbsDiff <= CUT_TOLERANCE)) {
    throw new Error(
      `the inputs_embeds entry point cut from ${decoderPath} differs from it by ${check.maxAbsDiff.toExponential(2)} ` +
        `(more than ${CUT_TOLERANCE}; per output ${JSON.stringify(check.perOutput)}) on ${check.prompts} prompts in ` +
        `${check.batches} batches, so it is not used; expected the ids to enter the graph only through the token Gather`,
    );
  }
  mkdirSync(dir, { recursive: true });
  writeAtomic(files.decoderEmbeds, cutBytes);
  writeAtomic(files.tokenEmbedding, embeddingBytes);
  writeAtomic(
    files.check,
    `${JSON.stringify({ source: decoderPath, maxAbsDiff: check.maxAbsDiff, perOutput: check.perOutput, prompts: check.prompts, batches: check.batches, ...cut.report }, null, 2)}\n`,
  );
  notice(
    `${decoderPath} has no inputs_embeds entry point: cut one by graph surgery (token-embedding Gather ` +
      `'${cut.report.tokenGather}' -> input inputs_embeds); it matches the original to ${check.maxAbsDiff.toExponential(1)} ` +
      `on ${check.prompts} prompts in ${check.batches} batches (left- and right-padded); cached in ${dir}`,
  );
  return { ...files, maxAbsDiff: check.maxAbsDiff, cached: false };
}

export interface SplitTowers {
  readonly textModel: string;
  readonly visionModel: string;
  /** The combined graph's trained logit scale (natural log), when it holds a `logit_scale` initializer. */
  readonly logitScale: number | undefined;
}

/** A float scalar initializer's value. */
function scalarValue(t: {
  floatData?: number[] | null;
  rawData?: Uint8Array | null;
  dims?: unknown[] | null;
  dataType?: number | null;
}) {
  if ((t.dims ?? []).length > 1 || t.dataType !== 1) return undefined;
  if (t.floatData && t.floatData.length === 1) return t.floatData[0];
  const raw = t.rawData;
  if (raw && raw.length === 4) return new DataView(raw.buffer, raw.byteOffset, 4).getFloat32(0, true);
  return undefined;
}

/**
 * The trained logit scale (natural log) of a combined CLIP graph: the scalar initializer its one Exp node
 * reads (logits = exp(logit_scale) * cos), else an initializer named *logit_scale; undefined if neither.
 */
function logitScaleOf(model: ReturnType<typeof decodeModel>): number | undefined {
  const initializers = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  const exps = (model.graph?.node ?? []).filter(
    (n) => n.opType === 'Exp' && initializers.has(n.input?.[0] ?? ''),
  );
  const values = exps.map((n) => scalarValue(initializers.get(n.input![0]!)!)).filter((v) => v !== undefined);
  if (values.length === 1) return values[0];
  const named = [...initializers.entries()].find(([name]) => name.endsWith('logit_scale'));
  return named ? scalarValue(named[1]) : undefined;
}

/** Cuts the text and image towers out of a combined model.onnx (input_ids, pixel_values -> *_embeds). */
export function splitCombinedClip(modelPath: string, notice: (message: string) => void): SplitTowers {
  const bytes = readFileSync(modelPath);
  const dir = join(surgeryCacheDir(), sha256(bytes).slice(0, 32));
  const model = decodeModel(bytes);
  const files = { textModel: join(dir, 'text_model.onnx'), visionModel: join(dir, 'vision_model.onnx') };
  const logitScale = logitScaleOf(model);
  if (existsSync(files.textModel) && existsSync(files.visionModel)) return { ...files, logitScale };
  const outputs = (model.graph?.output ?? []).map((o) => o.name);
  const inputs = (model.graph?.input ?? []).map((i) => i.name);
  for (const [name, list, what] of [
    ['text_embeds', outputs, 'output'],
    ['image_embeds', outputs, 'output'],
    ['input_ids', inputs, 'input'],
    ['pixel_values', inputs, 'input'],
  ] as const) {
    if (!list.includes(name)) {
      throw new Error(
        `${modelPath}: a combined CLIP model needs the ${what} ${name} (${what}s: ${list.join(', ')}); expected ` +
          "Optimum's CLIPModel export (input_ids, pixel_values -> text_embeds, image_embeds)",
      );
    }
  }
  let text: ReturnType<typeof extractSubgraph>;
  let vision: ReturnType<typeof extractSubgraph>;
  try {
    const textInputs = inputs.includes('attention_mask') ? ['input_ids', 'attention_mask'] : ['input_ids'];
    text = extractSubgraph(model, {
      inputs: textInputs,
      outputs: [['text_embeds', 'text_embeds']],
      name: 'text_model',
    });
    vision = extractSubgraph(model, {
      inputs: ['pixel_values'],
      outputs: [['image_embeds', 'image_embeds']],
      name: 'vision_model',
    });
  } catch (error) {
    throw new Error(`${modelPath}: cannot split it into text and image towers: ${(error as Error).message}`);
  }
  mkdirSync(dir, { recursive: true });
  writeAtomic(files.textModel, encodeModel(text));
  writeAtomic(files.visionModel, encodeModel(vision));
  notice(
    `${modelPath} is a combined CLIP model: cut its text tower (input_ids -> text_embeds) and image tower ` +
      `(pixel_values -> image_embeds) by graph surgery; cached in ${dir}`,
  );
  return { ...files, logitScale };
}
