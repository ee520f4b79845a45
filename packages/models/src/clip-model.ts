/**
 * VisionLanguageModel over a CLIP model folder: onnxruntime-node for everything that needs no gradient
 * (image tower, text tower, token embeddings), and the same folder's text_model_embeds.onnx executed on tfjs
 * ops (@attune/backend-tfjs, loaded on first use) for the text encoder that prompt tuning differentiates.
 * A folder without text_model_embeds.onnx gets one cut from its text tower by graph surgery; a combined
 * onnx/model.onnx is split into its towers (derived-entry-points.ts).
 */

import {
  createOnnxBackend,
  type InterleavedBytes,
  type OnnxBackend,
  type OnnxSession,
  PilResize,
  type PlanarBytes,
  type ResizeRequest,
  TestTimeViewsGraph,
  type ViewsGraphPlan,
  type ViewsTensor,
} from '@attune/backend-onnx';
import { runBatchedTf } from '@attune/backend-onnx/tf';
import type { BackendChoice, BackendPreference, OnnxGraph, TfjsBackend } from '@attune/backend-tfjs';
import type { RawImage } from '@attune/contracts';
import { l2Normalize, tf } from '@attune/tensor';
import { type ClipModelConfig, type ResolvedFile, type ResolvedModel, resolveModel } from '@attune/zoo';
import { checkClassNames, checkTemplates, fillTemplate } from './class-names.js';
import { clipPreprocess, type PreprocessPlan, planPreprocess } from './clip-preprocess.js';
import { ClipTokenizer, type TokenizedBatch } from './clip-tokenizer.js';
import { type DerivedTextEmbeds, deriveTextEmbeds, splitCombinedClip } from './derived-entry-points.js';
import { checkPaddingMode, comparePaddingFeatures, type PaddingCheck } from './padding-check.js';
import type { ResampleFilter } from './pil-resize.js';
import { checkClassPrompts } from './prompt-checks.js';
import { assemblePromptEmbeds, buildPromptParts, type PromptParts } from './prompt-parts.js';
import { PrototypeCache } from './prototype-cache.js';
import { expectShape, formatShape } from './tensor-checks.js';
import { type OnnxGradientSupport, OnnxTextEncoder } from './text-gradients.js';
import type { ModelBackends, PromptPartsOptions, VisionLanguageModel } from './vision-language-model.js';

export interface LoadVisionLanguageModelOptions {
  /** An onnxruntime backend (e.g. the registry's 'backend-onnx'). The model then creates none. */
  readonly onnx?: OnnxBackend;
  /** Dispose `onnx` with the model (it was created for this model alone). Default false: it is shared. */
  readonly ownsOnnx?: boolean;
  /**
   * Creates the tfjs backend the differentiable text encoder runs on (e.g. the registry's 'backend-tfjs'),
   * on first use; the model disposes it. Without it the model selects `tfjs.backend` itself.
   */
  readonly gradients?: () => Promise<TfjsBackend>;
  /** onnxruntime intra-op threads of the backend the model creates (default: every core). */
  readonly threads?: number;
  /** Rows per onnxruntime call when encoding images or texts (default: the backend's, 64). */
  readonly batchSize?: number;
  /**
   * The tfjs backend for the differentiable text encoder, activated when it loads: 'auto' picks the fastest
   * installed one (see @attune/backend-tfjs selectBackend: tfjs-node-gpu, tfjs-node, wasm, cpu); 'current'
   * leaves tfjs as it is. Default 'auto' (wasm is ~12x faster than the pure-JS cpu backend for TPT's step).
   */
  readonly tfjs?: { readonly backend?: BackendPreference | 'current' };
  /** Resampling filter of preprocess() for images of another size (CLIP: bicubic). */
  readonly filter?: ResampleFilter;
  /** Where zoo ids are looked up (default: @attune/zoo's committed models). */
  readonly modelsDir?: string;
  /**
   * Told what the loader decided on the user's behalf (config ids overridden by the tokenizer's, an entry
   * point derived by graph surgery). Default: one `attune: note:` line on stderr.
   */
  readonly onNotice?: (message: string) => void;
}

const defaultNotice = (message: string) => {
  process.stderr.write(`attune: note: ${message}\n`);
};

/** The embedding width an output's last dimension states, when the file fixes it. */
function lastDim(session: OnnxSession, output: string): number | undefined {
  const meta = session.info.outputs.find((m) => m.name === output) as
    | { shape?: readonly unknown[] }
    | undefined;
  const last = meta?.shape?.at(-1);
  return typeof last === 'number' && last > 0 ? last : undefined;
}

/** Refuses a folder whose image and text towers (or config) disagree on the embedding size. */
function checkTowerWidths(
  source: string,
  projectionDim: number,
  vision: OnnxSession,
  text: OnnxSession,
): void {
  const image = lastDim(vision, 'image_embeds');
  const texts = lastDim(text, 'text_embeds');
  if (image !== undefined && texts !== undefined && image !== texts) {
    throw new Error(
      `model folder ${source}: the image tower gives ${image}-d image_embeds but the text tower gives ${texts}-d ` +
        'text_embeds; expected both towers of one CLIP model (one embedding size)',
    );
  }
  const width = image ?? texts;
  if (width !== undefined && width !== projectionDim) {
    throw new Error(
      `model folder ${source}: its towers give ${width}-d embeddings but config.json says projection_dim ${projectionDim}; ` +
        'expected the config of the same model',
    );
  }
}

/** Loads 'zoo:<id>', 'shaped:<name>' or a CLIP model folder (Hugging Face / transformers.js layout). */
export async function loadVisionLanguageModel(
  source = 'zoo:mini-clip',
  options: LoadVisionLanguageModelOptions = {},
): Promise<ClipVisionLanguageModel> {
  const resolved = await resolveModel(source, options.modelsDir);
  if (resolved.kind !== 'clip' || resolved.config.kind !== 'clip') {
    throw new Error(`${source} is an ${resolved.kind} model; expected a CLIP (vision-language) model folder`);
  }
  const notice = options.onNotice ?? defaultNotice;
  let config = resolved.config;
  // A combined model.onnx (Optimum's CLIPModel layout): its towers are cut out; its trained logit scale is
  // used when config.json has none (Hugging Face configs hold only the untrained initial value).
  let towers = { text: resolved.files.textModel?.path, vision: resolved.files.visionModel?.path };
  const combined = resolved.files.combinedModel;
  if (combined && (!towers.text || !towers.vision)) {
    const split = splitCombinedClip(combined.path, notice);
    towers = { text: towers.text ?? split.textModel, vision: towers.vision ?? split.visionModel };
    if (config.logitScaleSource !== 'config.logit_scale' && split.logitScale !== undefined) {
      config = {
        ...config,
        logitScale: split.logitScale,
        logitScaleExp: Math.exp(split.logitScale),
        logitScaleSource: 'model.onnx initializer logit_scale',
      };
    }
  }
  const ownsBackend = options.onnx === undefined || options.ownsOnnx === true;
  const backend =
    options.onnx ??
    createOnnxBackend({
      ...(options.threads !== undefined ? { intraOpNumThreads: options.threads } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    });
  try {
    const [vision, text, tokenizer] = await Promise.all([
      backend.load(towers.vision ?? requiredFile(resolved, 'visionModel').path),
      backend.load(towers.text ?? requiredFile(resolved, 'textModel').path),
      ClipTokenizer.load(requiredFile(resolved, 'tokenizer').path, config.contextLength, {
        fallbackIds: {
          ...(config.sotTokenId !== undefined ? { sot: config.sotTokenId } : {}),
          ...(config.eotTokenId !== undefined ? { eot: config.eotTokenId } : {}),
          ...(config.padTokenId !== undefined ? { pad: config.padTokenId } : {}),
        },
        pooling: config.pooling,
      }),
    ]);
    const overridden = Object.entries(tokenizer.overriddenConfigIds);
    if (overridden.length > 0) {
      notice(
        `${source}: config.json's token ids (${overridden.map(([k, v]) => `${k} ${v}`).join(', ')}) are not the ` +
          `tokenizer's special tokens; using the tokenizer's (${overridden
            .map(([k]) => `${k} ${tokenizer.specialIds[k as 'sot' | 'eot' | 'pad']}`)
            .join(
              ', ',
            )}), pooling at ${config.pooling === 'argmax' ? 'argmax(input_ids)' : 'the first end token'} as transformers does`,
      );
    }
    checkTowerWidths(source, config.projectionDim, vision, text);
    return new ClipVisionLanguageModel({
      source,
      resolved,
      config,
      backend,
      ownsBackend,
      vision,
      text,
      tokenizer,
      batchSize: options.batchSize ?? backend.batchSize,
      tfjsBackend: options.tfjs?.backend ?? 'auto',
      gradients: options.gradients,
      filter: options.filter ?? config.resample ?? 'bicubic',
      textModelPath: towers.text ?? requiredFile(resolved, 'textModel').path,
      notice,
    });
  } catch (error) {
    if (ownsBackend) await backend.dispose();
    throw error;
  }
}

function requiredFile(resolved: ResolvedModel, role: string): ResolvedFile {
  const file = resolved.files[role];
  if (!file)
    throw new Error(
      `model folder ${resolved.dir} has no ${role} file (the zoo's resolveModel should have said so)`,
    );
  return file;
}

interface ClipParts {
  readonly source: string;
  readonly resolved: ResolvedModel;
  readonly config: ClipModelConfig;
  readonly backend: OnnxBackend;
  readonly ownsBackend: boolean;
  readonly vision: OnnxSession;
  readonly text: OnnxSession;
  readonly tokenizer: ClipTokenizer;
  readonly batchSize: number;
  readonly tfjsBackend: BackendPreference | 'current';
  readonly gradients: (() => Promise<TfjsBackend>) | undefined;
  readonly filter: ResampleFilter;
  readonly textModelPath: string;
  readonly notice: (message: string) => void;
}

function describePadding(check: PaddingCheck | undefined): string {
  if (check === undefined) return 'full context (padding not measured)';
  const diff = check.relativeDifference.toExponential(1);
  return check.inert
    ? `cut after EOT (measured exact: ${diff} at ${check.trimmedLength} of ${check.fullLength} tokens)`
    : `full context (the padding changes the features: ${diff})`;
}

export class ClipVisionLanguageModel implements VisionLanguageModel {
  readonly source: string;
  readonly config: ClipModelConfig;
  readonly imageSize: number;
  readonly embedDim: number;
  readonly logitScale: number;
  readonly contextLength: number;
  /** The resolved model folder (files by role, card). */
  readonly resolved: ResolvedModel;
  readonly tokenizer: ClipTokenizer;
  /** Where recoverable problems go (e.g. class names outside the vocabulary); the CLI and web app replace it. */
  onWarning: (message: string) => void = (message) => console.warn(`attune: warning: ${message}`);

  private readonly parts: ClipParts;
  private readonly cache = new PrototypeCache();
  private tokenEmbeddingSession: Promise<OnnxSession> | undefined;
  private graphLoading: Promise<OnnxGraph> | undefined;
  private graph: OnnxGraph | undefined;
  private tfjsChoice: BackendChoice | undefined;
  private gradientBackend: TfjsBackend | undefined;
  private disposed = false;
  private knownTokenEmbedDim: number | undefined;
  private onnxText: OnnxTextEncoder | undefined;
  private derived: Promise<DerivedTextEmbeds> | undefined;
  private paddingMeasured: Promise<PaddingCheck> | undefined;
  private paddingResult: PaddingCheck | undefined;
  private nativeResize: Promise<PilResize> | undefined;
  private nativeViews: TestTimeViewsGraph | undefined;

  /** Use loadVisionLanguageModel. */
  constructor(parts: ClipParts) {
    this.parts = parts;
    this.source = parts.source;
    this.config = parts.config;
    this.resolved = parts.resolved;
    this.tokenizer = parts.tokenizer;
    this.imageSize = parts.config.imageSize;
    this.embedDim = parts.config.projectionDim;
    this.logitScale = parts.config.logitScaleExp;
    this.contextLength = parts.config.contextLength;
    this.knownTokenEmbedDim = parts.config.hiddenSize;
  }

  get tokenEmbedDim(): number {
    if (this.knownTokenEmbedDim === undefined) {
      throw new Error(
        `the token-embedding width of ${this.source} is not known yet: config.json has no hidden_size; call tokenEmbeddings() or promptParts() first`,
      );
    }
    return this.knownTokenEmbedDim;
  }

  get backends(): ModelBackends {
    const { settings } = this.parts.backend;
    const providers = this.parts.vision.info.executionProviders.join('+');
    const threads = settings.intraOpNumThreads;
    return {
      inference: `onnxruntime-node ${providers} (${threads} thread${threads === 1 ? '' : 's'})`,
      // The backend the encoder's graph runs on once loaded; before that, what is active now.
      gradients: `tfjs ${this.tfjsChoice?.tfBackend ?? tf.getBackend()}`,
      textPadding: describePadding(this.paddingResult),
    };
  }

  /** Why the tfjs backend was chosen, when `tfjs.backend` asked for one (undefined for 'current'). */
  get tfjsBackendChoice(): BackendChoice | undefined {
    return this.tfjsChoice;
  }

  // ---- images -------------------------------------------------------------------------------------

  preprocessPlan(image: Pick<RawImage, 'width' | 'height'>): PreprocessPlan {
    return planPreprocess(image.width, image.height, this.imageSize, this.parts.filter);
  }

  preprocess(image: RawImage): tf.Tensor3D {
    this.assertUsable();
    const { pixels } = clipPreprocess(image, this.preprocessOptions(true));
    return tf.tensor3d(pixels, [3, this.imageSize, this.imageSize]);
  }

  /**
   * The image resized and centre-cropped as preprocess does, but left in [0,1] (RGB, [3,S,S]): view 0 of a
   * views tensor (TPT's un-augmented view).
   */
  centerCrop(image: RawImage): tf.Tensor3D {
    this.assertUsable();
    const { pixels } = clipPreprocess(image, this.preprocessOptions(false));
    return tf.tensor3d(pixels, [3, this.imageSize, this.imageSize]);
  }

  private preprocessOptions(normalize: boolean) {
    const { imageMean: mean, imageStd: std } = this.config;
    return { size: this.imageSize, mean, std, filter: this.parts.filter, normalize };
  }

  async resizeBytesNative(request: ResizeRequest): Promise<PlanarBytes> {
    this.assertUsable();
    this.nativeResize ??= PilResize.create(this.parts.backend);
    this.nativeResize.catch(() => {
      this.nativeResize = undefined;
    });
    return (await this.nativeResize).resize(request);
  }

  async buildViewsNative(photo: InterleavedBytes, plan: ViewsGraphPlan): Promise<ViewsTensor> {
    this.assertUsable();
    this.nativeViews ??= new TestTimeViewsGraph(this.parts.backend);
    return this.nativeViews.run(photo, plan);
  }

  /**
   * Views in [0,1] [N,3,H,W] -> normalised [N,3,S,S]. Views of another size are resized as CLIP does
   * (shorter side to S, centre crop) with bilinear interpolation on the tensor (torch's
   * interpolate(align_corners=False), no antialiasing). NaNs and values outside [0,1] are refused: views
   * that are already normalised would otherwise be normalised twice.
   */
  normalizeViews(views: tf.Tensor4D): tf.Tensor4D {
    this.assertUsable();
    expectShape(views, ['N', 3, 'H', 'W'], 'views');
    const [n, , h, w] = views.shape;
    if (n === 0) throw new Error('expected views [N,3,H,W] with N >= 1, got N = 0');
    const stats = tf.tidy(() =>
      tf.stack([tf.cast(tf.any(tf.isNaN(views)), 'float32'), tf.min(views), tf.max(views)]),
    );
    const [hasNaN, min, max] = Array.from(stats.dataSync());
    stats.dispose();
    if (hasNaN) throw new Error(`views ${formatShape(views.shape)} contain NaN; expected values in [0,1]`);
    const tolerance = 1e-4;
    if (min! < -tolerance || max! > 1 + tolerance) {
      throw new Error(
        `views must be in [0,1] (before normalisation), got values in [${min}, ${max}]; normalizeViews applies CLIP's mean/std itself`,
      );
    }
    const S = this.imageSize;
    const { imageMean, imageStd } = this.config;
    return tf.tidy(() => {
      let x: tf.Tensor4D = views;
      if (h !== S || w !== S) {
        const plan = planPreprocess(w, h, S);
        const size = plan.resizeTo ?? { width: w, height: h };
        const nhwc = tf.transpose(x, [0, 2, 3, 1]);
        const resized = tf.image.resizeBilinear(nhwc, [size.height, size.width], false, true);
        const cropped = tf.slice(resized, [0, plan.crop.top, plan.crop.left, 0], [n, S, S, 3]);
        x = tf.transpose(cropped, [0, 3, 1, 2]);
      }
      const mean = tf.tensor4d(imageMean as number[], [1, 3, 1, 1]);
      const std = tf.tensor4d(imageStd as number[], [1, 3, 1, 1]);
      return tf.div(tf.sub(x, mean), std) as tf.Tensor4D;
    });
  }

  async encodeImages(pixels: tf.Tensor4D): Promise<tf.Tensor2D> {
    this.assertUsable();
    const S = this.imageSize;
    expectShape(pixels, ['N', 3, S, S], 'normalised pixel_values');
    if (pixels.shape[0] === 0)
      throw new Error(`expected pixel_values [N,3,${S},${S}] with N >= 1, got N = 0`);
    const outputs = await runBatchedTf(
      this.parts.vision,
      { pixel_values: pixels },
      { batchSize: this.parts.batchSize, outputNames: ['image_embeds'] },
    );
    return this.takeOutput(outputs, 'image_embeds') as tf.Tensor2D;
  }

  // ---- texts --------------------------------------------------------------------------------------

  tokenize(texts: readonly string[]): TokenizedBatch {
    if (!Array.isArray(texts)) throw new TypeError(`expected an array of texts, got ${typeof texts}`);
    return this.tokenizer.tokenize(texts);
  }

  async encodeTexts(texts: readonly string[]): Promise<tf.Tensor2D> {
    this.assertUsable();
    if (!Array.isArray(texts) || texts.length === 0)
      throw new Error('expected at least one text to encode, got none');
    const { ids, eotIndex, length } = this.tokenize(texts);
    const session = this.parts.text;
    const feeds: Record<string, tf.Tensor> = { input_ids: tf.tensor2d(ids, [texts.length, length], 'int32') };
    if (session.inputNames.includes('attention_mask')) {
      // Some Hugging Face exports take a mask: 1 up to and including the end token.
      const mask = new Int32Array(ids.length);
      eotIndex.forEach((eot, row) => {
        mask.fill(1, row * length, row * length + eot + 1);
      });
      feeds.attention_mask = tf.tensor2d(mask, [texts.length, length], 'int32');
    }
    try {
      const outputs = await runBatchedTf(session, feeds, {
        batchSize: this.parts.batchSize,
        outputNames: ['text_embeds'],
      });
      return this.takeOutput(outputs, 'text_embeds') as tf.Tensor2D;
    } finally {
      for (const t of Object.values(feeds)) t.dispose();
    }
  }

  async classPrototypes(classNames: readonly string[], templates: readonly string[]): Promise<tf.Tensor2D> {
    this.assertUsable();
    checkClassNames(classNames);
    checkTemplates(templates);
    return this.cache.get(PrototypeCache.key(classNames, templates), async () => {
      const prompts = classNames.map((name) => templates.map((template) => fillTemplate(template, name)));
      for (const warning of checkClassPrompts(this.tokenizer, classNames, prompts).warnings)
        this.onWarning(warning);
      const texts = prompts.flat();
      const features = await this.encodeTexts(texts);
      try {
        return tf.tidy(() => {
          const perTemplate = tf.reshape(l2Normalize(features), [
            classNames.length,
            templates.length,
            this.embedDim,
          ]);
          return l2Normalize(tf.mean(perTemplate, 1)) as tf.Tensor2D;
        });
      } finally {
        features.dispose();
      }
    });
  }

  /** Number of (class set, template set) entries in the prototype cache. */
  get cachedPrototypeSets(): number {
    return this.cache.size;
  }

  /** Frees every cached prototype tensor (tensors returned earlier become unusable). */
  clearPrototypeCache(): void {
    this.cache.clear();
  }

  // ---- prompt tuning ------------------------------------------------------------------------------

  async tokenEmbeddings(ids: Int32Array, count: number): Promise<tf.Tensor3D> {
    this.assertUsable();
    if (!(ids instanceof Int32Array))
      throw new TypeError(`expected token ids as an Int32Array, got ${typeof ids}`);
    if (!Number.isInteger(count) || count < 1 || ids.length % count !== 0 || ids.length === 0) {
      throw new Error(
        `expected ${count} rows of token ids, got ${ids.length} ids (not a multiple of ${count})`,
      );
    }
    const session = await this.loadTokenEmbedding();
    const input = tf.tensor2d(ids, [count, ids.length / count], 'int32');
    try {
      const outputs = await runBatchedTf(
        session,
        { input_ids: input },
        {
          batchSize: this.parts.batchSize,
          outputNames: ['inputs_embeds'],
        },
      );
      const embeds = this.takeOutput(outputs, 'inputs_embeds') as tf.Tensor3D;
      this.knownTokenEmbedDim ??= embeds.shape[2];
      return embeds;
    } finally {
      input.dispose();
    }
  }

  async promptParts(classNames: readonly string[], options: PromptPartsOptions = {}): Promise<PromptParts> {
    this.assertUsable();
    checkClassNames(classNames);
    const mode = checkPaddingMode(options.padding ?? 'auto');
    await this.prepareGradients();
    const build = (names: readonly string[], trimPadding: boolean) =>
      buildPromptParts(
        names,
        { initText: options.initText, nCtx: options.nCtx, seed: options.seed, trimPadding },
        this.tokenizer,
        (ids, count) => this.tokenEmbeddings(ids, count),
      );
    if (mode !== 'auto') return build(classNames, mode === 'trim');
    const check = await this.measurePadding(() => build(classNames.slice(0, 4), false));
    return build(classNames, check.inert);
  }

  /** The padding measurement behind `padding: 'auto'`, once made (undefined before). */
  get paddingCheck(): PaddingCheck | undefined {
    return this.paddingResult;
  }

  /**
   * Runs the text encoder (onnxruntime) on probe prompts at the full context length and cut after their
   * last EOT, and compares the features; once per model, as the answer is the tower's, not the prompts'.
   */
  private measurePadding(probe: () => Promise<PromptParts>): Promise<PaddingCheck> {
    this.paddingMeasured ??= (async () => {
      const full = await probe();
      try {
        const trimmedLength = Math.max(...full.eotPositions) + 1;
        if (trimmedLength >= full.length) {
          // Probe prompts that fill the context cannot show whether the padding matters: nothing to cut
          // in this batch, and the next call measures again.
          this.paddingMeasured = undefined;
          return { inert: false, relativeDifference: 0, fullLength: full.length, trimmedLength };
        }
        const features = async (length: number) => {
          const embeds = tf.tidy(() => {
            const all = assemblePromptEmbeds(full, full.ctxInit);
            return tf.slice(all, [0, 0, 0], [all.shape[0], length, all.shape[2]]) as tf.Tensor3D;
          });
          try {
            const out = await this.encodeTextEmbedsOnnx(embeds, full.eotIndex);
            const data = (await out.data()) as Float32Array;
            out.dispose();
            return data;
          } finally {
            embeds.dispose();
          }
        };
        const result = comparePaddingFeatures(
          await features(full.length),
          await features(trimmedLength),
          full.length,
          trimmedLength,
        );
        this.paddingResult = result;
        return result;
      } finally {
        full.dispose();
      }
    })();
    this.paddingMeasured.catch(() => {
      this.paddingMeasured = undefined;
    });
    return this.paddingMeasured;
  }

  async prepareGradients(): Promise<void> {
    this.assertUsable();
    if (this.graph) return;
    this.graphLoading ??= this.loadGraph();
    try {
      const graph = await this.graphLoading;
      if (this.disposed) {
        graph.dispose();
        throw new Error(`model ${this.source} was disposed while its text encoder loaded`);
      }
      this.graph = graph;
    } catch (error) {
      this.graphLoading = undefined;
      throw error;
    }
  }

  private async loadGraph(): Promise<OnnxGraph> {
    const file = await this.entryFile('textModelEmbeds');
    if (this.parts.gradients) {
      // The backend the caller chose (through the registry) selects tfjs's backend and loads the graph.
      this.gradientBackend = await this.parts.gradients();
      this.tfjsChoice = this.gradientBackend.backend;
      return this.gradientBackend.loadGraph(file.path);
    }
    const tfjs = await import('@attune/backend-tfjs');
    if (this.parts.tfjsBackend !== 'current')
      this.tfjsChoice = await tfjs.selectBackend(this.parts.tfjsBackend);
    return tfjs.loadOnnxGraph(file.path);
  }

  encodeTextEmbeds(inputsEmbeds: tf.Tensor3D, eotIndex: tf.Tensor1D): tf.Tensor2D {
    this.assertUsable();
    const graph = this.graph;
    if (!graph) {
      throw new Error(
        'the differentiable text encoder is not loaded: await model.prepareGradients() (or model.promptParts()) before encodeTextEmbeds',
      );
    }
    const W = this.knownTokenEmbedDim ?? 'W';
    expectShape(inputsEmbeds, ['C', 'L', W], 'inputs_embeds');
    const [C, L] = inputsEmbeds.shape;
    if (L > this.contextLength) {
      throw new Error(
        `expected inputs_embeds [C,L,${W}] with L <= ${this.contextLength} (the context length), got L = ${L}`,
      );
    }
    expectShape(eotIndex, [C], 'eotIndex', 'int32');
    const eots = eotIndex.dataSync();
    const bad = eots.findIndex((e) => e < 0 || e >= L);
    if (bad >= 0) throw new Error(`eotIndex[${bad}] = ${eots[bad]} is outside the sequence [0, ${L})`);
    const outputs = graph.run({ inputs_embeds: inputsEmbeds, eot_index: eotIndex }, ['text_embeds']);
    return outputs.text_embeds as tf.Tensor2D;
  }

  /** The text encoder over inputs_embeds on onnxruntime (no gradient): raw text features [C,D]. */
  async encodeTextEmbedsOnnx(inputsEmbeds: tf.Tensor3D, eotIndex: tf.Tensor1D): Promise<tf.Tensor2D> {
    this.checkTextEmbedsFeeds(inputsEmbeds, eotIndex);
    return (await this.onnxTextEncoder()).encode(inputsEmbeds, eotIndex, this.parts.batchSize);
  }

  /**
   * d⟨upstream, text features⟩ / d inputs_embeds [C,L',W] from a VJP graph run by onnxruntime (see
   * @attune/backend-onnx/vjp); upstream is [C,D].
   */
  async textEmbedsVjp(
    inputsEmbeds: tf.Tensor3D,
    eotIndex: tf.Tensor1D,
    upstream: tf.Tensor2D,
  ): Promise<tf.Tensor3D> {
    this.checkTextEmbedsFeeds(inputsEmbeds, eotIndex);
    expectShape(upstream, [inputsEmbeds.shape[0], this.embedDim], 'upstream (d loss / d text features)');
    return (await this.onnxTextEncoder()).vjpInputsEmbeds(inputsEmbeds, eotIndex, upstream);
  }

  /** Whether every op of the text encoder between inputs_embeds and text_embeds has a VJP rule. */
  async onnxGradientSupport(): Promise<OnnxGradientSupport> {
    this.assertUsable();
    return (await this.onnxTextEncoder()).gradientSupport();
  }

  private async onnxTextEncoder(): Promise<OnnxTextEncoder> {
    this.assertUsable();
    const path = (await this.entryFile('textModelEmbeds')).path;
    this.onnxText ??= new OnnxTextEncoder(path, this.parts.backend);
    return this.onnxText;
  }

  private checkTextEmbedsFeeds(inputsEmbeds: tf.Tensor3D, eotIndex: tf.Tensor1D): void {
    this.assertUsable();
    expectShape(inputsEmbeds, ['C', 'L', this.knownTokenEmbedDim ?? 'W'], 'inputs_embeds');
    const [C, L] = inputsEmbeds.shape;
    if (L > this.contextLength) {
      throw new Error(
        `expected inputs_embeds [C,L,W] with L <= ${this.contextLength} (the context length), got L = ${L}`,
      );
    }
    expectShape(eotIndex, [C], 'eotIndex', 'int32');
    const eots = eotIndex.dataSync();
    const bad = eots.findIndex((e) => e < 0 || e >= L);
    if (bad >= 0) throw new Error(`eotIndex[${bad}] = ${eots[bad]} is outside the sequence [0, ${L})`);
  }

  logits(imageFeatures: tf.Tensor2D, textFeatures: tf.Tensor2D): tf.Tensor2D {
    expectShape(imageFeatures, ['N', this.embedDim], 'image features');
    expectShape(textFeatures, ['C', this.embedDim], 'text features');
    return tf.tidy(
      () =>
        tf.mul(
          tf.scalar(this.logitScale),
          tf.matMul(l2Normalize(imageFeatures), l2Normalize(textFeatures), false, true),
        ) as tf.Tensor2D,
    );
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /**
   * Frees the cached prototypes and the tfjs graph at once; the returned promise settles when the
   * onnxruntime backend the model created is released (a backend passed in options is left to its owner).
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    this.graph?.dispose();
    this.graph = undefined;
    this.gradientBackend?.dispose();
    await this.onnxText?.release();
    this.onnxText = undefined;
    if (this.parts.ownsBackend) await this.parts.backend.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error(`model ${this.source} has been disposed`);
  }

  /**
   * The prompt-tuning entry points (textModelEmbeds, tokenEmbedding): the folder's own, else cut from its
   * text tower by graph surgery (checked against it, cached, announced; see derived-entry-points.ts).
   */
  private async entryFile(role: 'textModelEmbeds' | 'tokenEmbedding'): Promise<{ path: string }> {
    const own = this.resolved.files[role];
    if (own) return own;
    this.derived ??= deriveTextEmbeds(
      this.parts.textModelPath,
      this.parts.backend,
      this.tokenizer,
      this.parts.notice,
    );
    this.derived.catch(() => {
      this.derived = undefined;
    });
    const derived = await this.derived;
    return { path: derived[role] };
  }

  private loadTokenEmbedding(): Promise<OnnxSession> {
    if (!this.tokenEmbeddingSession) {
      this.tokenEmbeddingSession = this.entryFile('tokenEmbedding').then((file) =>
        this.parts.backend.load(file.path),
      );
      this.tokenEmbeddingSession.catch(() => {
        this.tokenEmbeddingSession = undefined;
      });
    }
    return this.tokenEmbeddingSession;
  }

  /** Takes one output, disposing any other the session returned. */
  private takeOutput(outputs: Record<string, tf.Tensor>, name: string): tf.Tensor {
    const wanted = outputs[name];
    for (const [key, t] of Object.entries(outputs)) if (key !== name) t.dispose();
    if (!wanted)
      throw new Error(`the model returned no '${name}' output (outputs: ${Object.keys(outputs).join(', ')})`);
    return wanted;
  }
}
