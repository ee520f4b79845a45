/**
 * ImageVariationModel: image variations from a conditional DDPM (zoo:mini-diffusion's layout: onnx/denoiser.onnx
 * predicting noise from x_t [N,C,S,S], t [N] and cond [N,D]), sampled with DDIM and classifier-free guidance
 * (src/ddim.ts), conditioned on the L2-normalised image embedding of the source image from the CLIP model
 * the config names (DiffTPT's diffusion views).
 */
import { isAbsolute, resolve } from 'node:path';
import { createOnnxBackend, type OnnxBackend, type OnnxSession, Tensor } from '@attune/backend-onnx';
import type { RawImage } from '@attune/contracts';
import { createRng, l2Normalize, tf } from '@attune/tensor';
import { type ImageVariationConfig, type ResolvedModel, resolveModel } from '@attune/zoo';
import { loadVisionLanguageModel } from './clip-model.js';
import { alphaBars, ddimCoefficients, ddimTimesteps, ddimUpdate, guidedNoise, toUnitRange } from './ddim.js';
import { expectShape } from './tensor-checks.js';
import type { VisionLanguageModel } from './vision-language-model.js';

export interface SampleOptions {
  /** Seed of the initial noise and (eta > 0) the per-step noise. Default 0. */
  readonly seed?: number;
  /** DDIM steps. Default: config ddim.steps. */
  readonly steps?: number;
  /** Classifier-free guidance scale w. Default: config guidance_scale (3 for mini-diffusion). */
  readonly guidance?: number;
  /** DDIM eta (0 = deterministic given x_T). Default: config ddim.eta. */
  readonly eta?: number;
  /** Denoiser rows per onnxruntime call (guidance doubles the rows). Default: the backend's. */
  readonly batchSize?: number;
  /** Initial noise x_T, row-major [N,C,S,S] (default: standard normal from `seed`). */
  readonly xT?: Float32Array;
  /** Called after each DDIM step. */
  readonly onProgress?: (step: number, steps: number) => void;
}

export interface LoadImageVariationModelOptions {
  /** The model whose image embeddings condition the denoiser; default: load the one config.json names. */
  readonly conditionModel?: VisionLanguageModel;
  /** A shared onnxruntime backend; the model then neither creates nor disposes one. */
  readonly onnx?: OnnxBackend;
  /** Dispose `onnx` with the model (it was created for this model alone). Default false: it is shared. */
  readonly ownsOnnx?: boolean;
  readonly threads?: number;
  readonly batchSize?: number;
  readonly modelsDir?: string;
}

export class ImageVariationModel {
  readonly source: string;
  readonly config: ImageVariationConfig;
  readonly resolved: ResolvedModel;
  readonly imageSize: number;
  readonly channels: number;
  readonly conditionModel: VisionLanguageModel;

  private readonly alphaBar: Float64Array;
  private disposed = false;

  /** Use loadImageVariationModel. */
  constructor(
    private readonly parts: {
      readonly source: string;
      readonly resolved: ResolvedModel;
      readonly config: ImageVariationConfig;
      readonly denoiser: OnnxSession;
      readonly backend: OnnxBackend;
      readonly ownsBackend: boolean;
      readonly conditionModel: VisionLanguageModel;
      readonly ownsConditionModel: boolean;
    },
  ) {
    this.source = parts.source;
    this.config = parts.config;
    this.resolved = parts.resolved;
    this.imageSize = parts.config.imageSize;
    this.channels = parts.config.channels;
    this.conditionModel = parts.conditionModel;
    this.alphaBar = alphaBars(parts.config.betas);
  }

  get backend(): string {
    const { settings } = this.parts.backend;
    const threads = settings.intraOpNumThreads;
    return `onnxruntime-node ${this.parts.denoiser.info.executionProviders.join('+')} (${threads} thread${threads === 1 ? '' : 's'})`;
  }

  /** The condition of an image: its L2-normalised image embedding [1,D] from the condition model. */
  async condition(image: RawImage): Promise<tf.Tensor2D> {
    this.assertUsable();
    const pixels = tf.tidy(() => tf.expandDims(this.conditionModel.preprocess(image), 0)) as tf.Tensor4D;
    try {
      const features = await this.conditionModel.encodeImages(pixels);
      const normalised = l2Normalize(features);
      features.dispose();
      return normalised;
    } finally {
      pixels.dispose();
    }
  }

  /**
   * `count` variations of `image`: [count,3,S,S] in [0,1] (grayscale models replicate to RGB), ready for
   * VisionLanguageModel.normalizeViews. The caller owns the tensor.
   */
  async generateVariations(
    image: RawImage,
    count: number,
    options: SampleOptions = {},
  ): Promise<tf.Tensor4D> {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`count must be a positive integer, got ${count}`);
    const cond = await this.condition(image);
    const conds = tf.tidy(() => tf.tile(cond, [count, 1])) as tf.Tensor2D;
    cond.dispose();
    try {
      const images = await this.sample(conds, options);
      const S = this.imageSize;
      const rgb = this.channels === 3 ? images : toRgb(images, count, S);
      return tf.tensor4d(rgb, [count, 3, S, S]);
    } finally {
      conds.dispose();
    }
  }

  /**
   * DDIM with classifier-free guidance from conditions [N,D] (normalised embeddings; zeros = unconditional).
   * Returns row-major images [N,C,S,S] in [0,1].
   */
  async sample(conds: tf.Tensor2D, options: SampleOptions = {}): Promise<Float32Array> {
    this.assertUsable();
    const { config } = this;
    expectShape(conds, ['N', config.condDim], 'conditions');
    const n = conds.shape[0];
    const steps = options.steps ?? config.ddimSteps;
    const guidance = options.guidance ?? config.guidanceScale;
    const eta = options.eta ?? config.ddimEta;
    if (!Number.isFinite(guidance)) throw new Error(`guidance must be a finite number, got ${guidance}`);
    if (!(eta >= 0)) throw new Error(`eta must be >= 0, got ${eta}`);
    const { timesteps, stride } = ddimTimesteps(config.numTrainTimesteps, steps);
    const { clipSample } = config;
    const S = this.imageSize;
    const perImage = this.channels * S * S;
    const rng = createRng(options.seed ?? 0);

    let x: Float32Array;
    if (options.xT) {
      if (options.xT.length !== n * perImage) {
        throw new Error(
          `xT: expected ${n * perImage} values ([${n},${this.channels},${S},${S}]), got ${options.xT.length}`,
        );
      }
      x = options.xT.slice();
    } else {
      const initial = rng.fork('x_T');
      x = Float32Array.from({ length: n * perImage }, () => initial.normal());
    }
    const condValues = conds.dataSync() as Float32Array;
    // Guidance 1 needs only the conditional pass, 0 only the unconditional one.
    const passes: ('cond' | 'uncond')[] =
      guidance === 1 ? ['cond'] : guidance === 0 ? ['uncond'] : ['cond', 'uncond'];
    const rows = passes.length * n;
    const condFeed = new Float32Array(rows * config.condDim);
    passes.forEach((pass, p) => {
      if (pass === 'cond') condFeed.set(condValues, p * n * config.condDim);
    });

    for (let step = 0; step < timesteps.length; step++) {
      const t = timesteps[step]!;
      const xFeed = new Float32Array(rows * perImage);
      for (let p = 0; p < passes.length; p++) xFeed.set(x, p * n * perImage);
      const eps = await this.denoise(xFeed, t, condFeed, rows, options.batchSize);
      const epsPerPass = passes.map((_, p) => eps.subarray(p * n * perImage, (p + 1) * n * perImage));
      const guided =
        passes.length === 2
          ? guidedNoise(epsPerPass[0]!, epsPerPass[1]!, guidance)
          : (epsPerPass[0] as Float32Array);
      const coefficients = ddimCoefficients(this.alphaBar, t, stride, eta);
      let noise: Float32Array | undefined;
      if (coefficients.sigma > 0) {
        const stepRng = rng.fork(`step-${step}`);
        noise = Float32Array.from({ length: x.length }, () => stepRng.normal());
      }
      ddimUpdate(x, guided, coefficients, noise, clipSample, this.config.useClippedModelOutput);
      options.onProgress?.(step + 1, timesteps.length);
    }
    return toUnitRange(x);
  }

  /** One denoiser evaluation over `rows` rows at timestep t (noise prediction, row-major). */
  async denoise(
    x: Float32Array,
    t: number,
    cond: Float32Array,
    rows: number,
    batchSize?: number,
  ): Promise<Float32Array> {
    this.assertUsable();
    const S = this.imageSize;
    const session = this.parts.denoiser;
    const tMeta = session.info.inputs.find((m) => m.name === 't');
    const tType = tMeta && 'type' in tMeta ? tMeta.type : 'float32';
    const tFeed =
      tType === 'int64'
        ? new Tensor('int64', new BigInt64Array(rows).fill(BigInt(t)), [rows])
        : new Tensor('float32', new Float32Array(rows).fill(t), [rows]);
    const outputs = await session.runBatched(
      {
        x_t: new Tensor('float32', x, [rows, this.channels, S, S]),
        t: tFeed,
        cond: new Tensor('float32', cond, [rows, this.config.condDim]),
      },
      { outputNames: ['eps'], ...(batchSize !== undefined ? { batchSize } : {}) },
    );
    const eps = outputs.eps;
    if (!eps)
      throw new Error(`the denoiser returned no 'eps' output (outputs: ${Object.keys(outputs).join(', ')})`);
    return eps.data as Float32Array;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.parts.ownsConditionModel) await this.parts.conditionModel.dispose();
    if (this.parts.ownsBackend) await this.parts.backend.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error(`image-variation model ${this.source} has been disposed`);
  }
}

function toRgb(gray: Float32Array, count: number, S: number): Float32Array {
  const plane = S * S;
  const out = new Float32Array(count * 3 * plane);
  for (let i = 0; i < count; i++) {
    const source = gray.subarray(i * plane, (i + 1) * plane);
    for (let c = 0; c < 3; c++) out.set(source, (i * 3 + c) * plane);
  }
  return out;
}

/** Loads 'zoo:mini-diffusion' or an image-variation model folder, and the CLIP model that conditions it. */
export async function loadImageVariationModel(
  source = 'zoo:mini-diffusion',
  options: LoadImageVariationModelOptions = {},
): Promise<ImageVariationModel> {
  const resolved = await resolveModel(source, options.modelsDir);
  if (resolved.kind !== 'image-variation' || resolved.config.kind !== 'image-variation') {
    throw new Error(
      `${source} is a ${resolved.kind} model; expected an image-variation (diffusion) model folder`,
    );
  }
  const config = resolved.config;
  const ownsBackend = options.onnx === undefined || options.ownsOnnx === true;
  const backend =
    options.onnx ??
    createOnnxBackend({
      ...(options.threads !== undefined ? { intraOpNumThreads: options.threads } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    });
  let conditionModel = options.conditionModel;
  const ownsConditionModel = conditionModel === undefined;
  try {
    const denoiserFile = resolved.files.denoiser;
    if (!denoiserFile) throw new Error(`model folder ${resolved.dir} has no denoiser file`);
    const denoiser = await backend.load(denoiserFile.path);
    if (!conditionModel) {
      const named = config.conditionModel;
      const conditionSource =
        named.startsWith('zoo:') || named.startsWith('shaped:') || isAbsolute(named)
          ? named
          : resolve(resolved.dir, named);
      conditionModel = await loadVisionLanguageModel(conditionSource, {
        onnx: backend,
        ...(options.modelsDir !== undefined ? { modelsDir: options.modelsDir } : {}),
      });
    }
    if (conditionModel.embedDim !== config.condDim) {
      throw new Error(
        `the condition model ${conditionModel.source} has ${conditionModel.embedDim}-dimensional image features; ${source} expects cond_dim ${config.condDim} (config.json names ${config.conditionModel})`,
      );
    }
    return new ImageVariationModel({
      source,
      resolved,
      config,
      denoiser,
      backend,
      ownsBackend,
      conditionModel,
      ownsConditionModel,
    });
  } catch (error) {
    if (ownsConditionModel) await conditionModel?.dispose();
    if (ownsBackend) await backend.dispose();
    throw error;
  }
}
