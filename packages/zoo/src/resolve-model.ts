/**
 * Turn "zoo:<id>", "shaped:<name>" or a folder path into a checked description of a model folder:
 * its kind, parsed config, card (zoo models) and the absolute path of every file by role.
 * Only existence and config validity are checked here; hashes and ONNX parsing are verifyModel's job.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cardProblems, type ModelCard } from './card.js';
import { InvalidModelConfigError, MissingModelFileError, UnknownZooModelError, ZooError } from './errors.js';
import { parseCausalLMConfig, parseMoeLMConfig, parseRewardModelConfig } from './lm-config.js';
import { type ModelConfig, modelKindOf, parseClipConfig, parseImageVariationConfig } from './model-config.js';
import {
  COMBINED_CLIP_FILE,
  FILES_BY_KIND,
  type FileSpec,
  type ModelKind,
  type OnnxSignature,
} from './model-layout.js';
import { SHAPED_SPECS } from './shaped.js';
import { shapedCacheDir, ZOO_MODELS_DIR, ZOO_PREFIX } from './zoo-paths.js';

export const SHAPED_PREFIX = 'shaped:';

export interface ResolvedFile {
  readonly role: string;
  /** Absolute path. */
  readonly path: string;
  /** Path relative to the model folder, '/'-separated (as card.json lists it). */
  readonly relativePath: string;
  readonly purpose: string;
  readonly signature: OnnxSignature | undefined;
}

export interface AbsentOptionalFile {
  readonly role: string;
  readonly purpose: string;
  readonly expected: string;
}

export interface ResolvedModel {
  /** "zoo:mini-clip" / "shaped:clip-vit-b-32" for named models; undefined for a plain folder. */
  readonly id: string | undefined;
  readonly source: 'zoo' | 'shaped' | 'folder';
  readonly dir: string;
  readonly kind: ModelKind;
  readonly config: ModelConfig;
  readonly card: ModelCard | undefined;
  /**
   * Files by role, e.g. files.visionModel, files.textModel, files.tokenizer, files.denoiser,
   * files.decoder (causal LM), files.scorer (reward model).
   */
  readonly files: Readonly<Record<string, ResolvedFile>>;
  /** Optional files this folder lacks (e.g. HF exports have no text_model_embeds.onnx). */
  readonly absentOptional: readonly AbsentOptionalFile[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function readJson(path: string, name: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidModelConfigError(name, `not valid JSON (${(e as Error).message})`);
  }
}

/** Ids of the committed zoo models, as "zoo:<id>", sorted. */
export async function zooIds(modelsDir: string = ZOO_MODELS_DIR): Promise<string[]> {
  if (!(await isDirectory(modelsDir))) return [];
  const entries = await readdir(modelsDir, { withFileTypes: true });
  const ids: string[] = [];
  for (const e of entries) {
    if (e.isDirectory() && (await exists(join(modelsDir, e.name, 'config.json'))))
      ids.push(`${ZOO_PREFIX}${e.name}`);
  }
  return ids.sort();
}

async function locate(
  idOrPath: string,
  modelsDir: string,
): Promise<Pick<ResolvedModel, 'id' | 'source' | 'dir'>> {
  if (idOrPath.startsWith(ZOO_PREFIX)) {
    const name = idOrPath.slice(ZOO_PREFIX.length);
    const dir = join(modelsDir, name);
    const known = await zooIds(modelsDir);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !known.includes(idOrPath)) {
      throw new UnknownZooModelError(idOrPath, known);
    }
    return { id: idOrPath, source: 'zoo', dir };
  }
  if (idOrPath.startsWith(SHAPED_PREFIX)) {
    const name = idOrPath.slice(SHAPED_PREFIX.length);
    // As strict as zoo ids: only the known export names, so a name cannot leave the cache folder.
    const known = SHAPED_SPECS.map((spec) => `${SHAPED_PREFIX}${spec.name}`);
    if (!known.includes(idOrPath)) {
      throw new ZooError(
        `unknown shaped export ${JSON.stringify(idOrPath)}; expected one of ${known.join(', ')}`,
      );
    }
    const dir = join(shapedCacheDir(), name);
    if (!(await isDirectory(dir))) {
      throw new ZooError(
        `shaped export "${name}" is not in ${shapedCacheDir()}; create it with \`pnpm --filter @attune/zoo zoo:shaped\``,
      );
    }
    return { id: idOrPath, source: 'shaped', dir };
  }
  const dir = resolve(idOrPath);
  if (!(await exists(dir))) {
    throw new ZooError(
      `no model folder at ${dir}; expected a zoo id such as "zoo:mini-clip" or a folder holding config.json and onnx/*.onnx`,
    );
  }
  if (!(await isDirectory(dir))) {
    throw new ZooError(
      `${dir} is a file; expected a model folder (config.json, tokenizer.json, onnx/*.onnx)`,
    );
  }
  return { id: undefined, source: 'folder', dir };
}

async function findFile(dir: string, spec: FileSpec): Promise<ResolvedFile | undefined> {
  for (const candidate of spec.candidates) {
    const path = join(dir, candidate);
    if (await exists(path)) {
      return {
        role: spec.role,
        path,
        relativePath: candidate,
        purpose: spec.purpose,
        signature: spec.signature,
      };
    }
  }
  return undefined;
}

/** Resolve a zoo id ("zoo:mini-clip"), a shaped export ("shaped:clip-vit-b-32") or a model folder path. */
export async function resolveModel(
  idOrPath: string,
  modelsDir: string = ZOO_MODELS_DIR,
): Promise<ResolvedModel> {
  const where = await locate(idOrPath, modelsDir);
  const configPath = join(where.dir, 'config.json');
  if (!(await exists(configPath))) {
    throw new MissingModelFileError(where.dir, 'config.json', 'model configuration', ['config.json']);
  }
  const rawConfig = await readJson(configPath, configPath);
  const kind = modelKindOf(rawConfig, configPath);
  const raw = rawConfig as Record<string, unknown>;

  const files: Record<string, ResolvedFile> = {};
  const absentOptional: AbsentOptionalFile[] = [];
  // A CLIP folder may hold both towers in one onnx/model.onnx instead (Optimum's CLIPModel export).
  const combined = kind === 'clip' ? await findFile(where.dir, COMBINED_CLIP_FILE) : undefined;
  if (combined) files[COMBINED_CLIP_FILE.role] = combined;
  for (const spec of FILES_BY_KIND[kind]) {
    const found = await findFile(where.dir, spec);
    if (found) files[spec.role] = found;
    else if (spec.inCombined && combined) continue;
    else if (spec.required) {
      throw new MissingModelFileError(where.dir, spec.candidates[0]!, spec.purpose, spec.candidates);
    } else absentOptional.push({ role: spec.role, purpose: spec.purpose, expected: spec.candidates[0]! });
  }

  let config: ModelConfig;
  if (kind === 'clip') {
    const preprocessorPath = join(where.dir, 'preprocessor_config.json');
    const preprocessor = (await exists(preprocessorPath))
      ? ((await readJson(preprocessorPath, preprocessorPath)) as Record<string, unknown>)
      : undefined;
    config = parseClipConfig(raw, configPath, preprocessor);
  } else if (kind === 'causal-lm') {
    config = parseCausalLMConfig(raw, configPath);
  } else if (kind === 'reward-model') {
    config = parseRewardModelConfig(raw, configPath);
  } else if (kind === 'moe-lm') {
    config = parseMoeLMConfig(raw, configPath);
  } else {
    config = parseImageVariationConfig(raw, configPath);
  }

  let card: ModelCard | undefined;
  const cardPath = join(where.dir, 'card.json');
  if (await exists(cardPath)) {
    const parsed = await readJson(cardPath, cardPath);
    const problems = cardProblems(parsed);
    if (problems.length > 0) throw new InvalidModelConfigError(cardPath, problems.join('; '));
    card = parsed as ModelCard;
  } else if (where.source === 'zoo') {
    throw new MissingModelFileError(where.dir, 'card.json', 'model card (training data, metrics, sha256)', [
      'card.json',
    ]);
  }
  return { ...where, kind, config, card, files, absentOptional };
}
