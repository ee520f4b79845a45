import { tf } from '@attune/tensor';
import { assertImage, type FloatImage } from '../image.js';
import { checkSeed, createRng, type Rng } from '../random.js';
import { AUGMIX_OP_NAMES, AUGMIX_OPS } from './augmix-ops.js';
import { type ByteImage, cropBytes, flipHorizontal, resizeBytes, toByteImage } from './byte-image.js';
import { drawCrop, firstViewGeometry } from './view-plan.js';

/** OpenAI CLIP's preprocessing statistics (clip/clip.py `_transform`). */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export interface Normalization {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

export interface AugmentViewsOptions {
  /** Number of views including the un-augmented view 0; TPT uses 64. */
  readonly views?: number;
  /** Output side in pixels; TPT uses the model's resolution (224). */
  readonly size?: number;
  /** Seed of every random choice; same seed, same views. Default 0. */
  readonly seed?: number;
  /** AugMix on views 1.. (TPT: only for fine-grained datasets). Default false. */
  readonly augmix?: boolean;
  /** AugMix severity; TPT uses 1. */
  readonly augmixSeverity?: number;
  /**
   * Per-channel normalisation applied last: 'clip' for CLIP's mean/std, or explicit statistics. Default
   * false: values stay in [0,1] because the model adapters normalise in their own preprocessing.
   */
  readonly normalize?: false | 'clip' | Normalization;
}

export interface AugmentedViews {
  /** `[views, 3, size, size]`, row-major. */
  readonly data: Float32Array;
  readonly shape: readonly [views: number, channels: 3, height: number, width: number];
}

/**
 * TPT's test-time views (azshue/TPT data/datautils.py `AugMixAugmenter`): view 0 is the image resized
 * (shorter side to `size`, bicubic) and centre-cropped; views 1.. are torchvision RandomResizedCrop(size)
 * (scale 0.08–1, ratio 3/4–4/3, bilinear) of the raw image plus a horizontal flip with p = 0.5, optionally
 * AugMixed. Images pass through 8 bits where PIL would hold them; grey images become 3 identical channels.
 */
export function augmentViews(
  image: FloatImage | ByteImage,
  options: AugmentViewsOptions = {},
): AugmentedViews {
  const steps = viewSteps(image, options);
  let step = steps.next();
  while (!step.done)
    step = steps.next(resizeBytes(step.value, step.value.outWidth, step.value.outHeight, step.value.filter));
  return step.value;
}

/**
 * An image the views pipeline needs resized as PIL's `Image.resize((outWidth, outHeight), filter)`: view 0's
 * whole image (bicubic, shorter side to the size) and each random crop (bilinear, to size²).
 */
export interface CropToResize extends ByteImage {
  readonly outWidth: number;
  readonly outHeight: number;
  readonly filter: 'bilinear' | 'bicubic';
}

/**
 * augmentViews with the crops' bilinear resize done by `resize` (e.g. onnxruntime's Resize with PIL's
 * antialiasing, @attune/backend-onnx's PilBilinearResize): the same random choices in the same order, so the
 * same crops, boxes and flips; the pixels differ only as far as `resize` differs from PIL.
 */
export async function augmentViewsWith(
  image: FloatImage | ByteImage,
  options: AugmentViewsOptions,
  resize: (crop: CropToResize) => Promise<ByteImage>,
): Promise<AugmentedViews> {
  const steps = viewSteps(image, options);
  let step = steps.next();
  while (!step.done) step = steps.next(await resize(step.value));
  return step.value;
}

/**
 * The views pipeline as a generator: it yields each random crop to be resized and receives the resized
 * crop back, so one sequence of random choices serves a synchronous resize and an asynchronous one.
 */
function* viewSteps(
  image: FloatImage | ByteImage,
  options: AugmentViewsOptions,
): Generator<CropToResize, AugmentedViews, ByteImage> {
  // An 8-bit image (a decoded file) goes in as it is; a float one is rounded to 8 bits as PIL holds it.
  const bytes = image.data instanceof Uint8Array;
  if (bytes) assertByteImage(image as ByteImage);
  else assertImage(image as FloatImage, 'augmentViews');
  const { views = 64, size = 224, seed = 0, augmix = false, augmixSeverity = 1, normalize = false } = options;
  if (!Number.isInteger(views) || views < 1)
    throw new Error(`augmentViews: views must be an integer >= 1, got ${views}`);
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`augmentViews: size must be an integer >= 1, got ${size}`);
  if (image.channels !== 1 && image.channels !== 3) {
    throw new Error(
      `augmentViews: expected a grey [1,H,W] or RGB [3,H,W] image, got [${image.channels},${image.height},${image.width}]`,
    );
  }
  checkSeed(seed);
  const statistics = normalize === 'clip' ? { mean: CLIP_MEAN, std: CLIP_STD } : normalize || undefined;
  const rng = createRng(seed);
  const raw = bytes ? (image as ByteImage) : toByteImage(image as FloatImage);
  const plane = size * size;
  const data = new Float32Array(views * 3 * plane);

  // ToTensor (levels / 255) and the optional normalisation in one pass over the view's bytes.
  const writeBytes = (view: number, levels: Uint8Array, channels: number) => {
    for (let c = 0; c < 3; c++) {
      const source = (channels === 1 ? 0 : c) * plane;
      const offset = (view * 3 + c) * plane;
      const mean = statistics?.mean[c] ?? 0;
      const std = statistics?.std[c] ?? 1;
      // fround: the float32 level ToTensor gives, so the result is the same as normalising that tensor.
      for (let i = 0; i < plane; i++)
        data[offset + i] = (Math.fround(levels[source + i]! / 255) - mean) / std;
    }
  };
  const write = (view: number, values: Float32Array, channels: number) => {
    for (let c = 0; c < 3; c++) {
      const source = channels === 1 ? 0 : c;
      const offset = (view * 3 + c) * plane;
      const mean = statistics?.mean[c] ?? 0;
      const std = statistics?.std[c] ?? 1;
      for (let i = 0; i < plane; i++) data[offset + i] = (values[source * plane + i]! - mean) / std;
    }
  };

  // View 0: torchvision Resize(size, BICUBIC) (shorter side to size) + CenterCrop(size), as planViews plans it.
  const first = firstViewGeometry(raw.width, raw.height, size);
  const shorter = first.resize;
  const resized0: ByteImage = shorter
    ? yield { ...raw, outWidth: shorter.width, outHeight: shorter.height, filter: 'bicubic' }
    : raw;
  if (shorter) checkResized(resized0, raw.channels, shorter.width, shorter.height);
  writeBytes(0, cropBytes(resized0, first.left, first.top, size, size).data, raw.channels);
  for (let view = 1; view < views; view++) {
    // torchvision's resized_crop on a PIL image: crop, then resize the crop (pixels outside are not read).
    // The flip is drawn with the box (the resize draws nothing), as planViews draws them.
    const box = drawCrop(raw.height, raw.width, rng);
    const crop = cropBytes(raw, box.left, box.top, box.width, box.height);
    const resized: ByteImage = yield { ...crop, outWidth: size, outHeight: size, filter: 'bilinear' };
    checkResized(resized, raw.channels, size, size);
    const cropped = box.flip ? flipHorizontal(resized) : resized;
    if (augmix) write(view, augmixView(cropped, augmixSeverity, rng), raw.channels);
    else writeBytes(view, cropped.data, raw.channels);
  }
  return { data, shape: [views, 3, size, size] };
}

function assertByteImage(image: ByteImage): void {
  const { width, height, channels, data } = image;
  if (![width, height].every((v) => Number.isInteger(v) && v >= 1) || (channels !== 1 && channels !== 3)) {
    throw new Error(
      `augmentViews: expected an 8-bit image [1 or 3, H, W] with positive sizes, got [${channels},${height},${width}]`,
    );
  }
  if (data.length !== channels * width * height)
    throw new Error(
      `augmentViews: expected ${channels * width * height} bytes for [${channels},${height},${width}], got ${data.length}`,
    );
}

function checkResized(image: ByteImage, channels: number, width: number, height: number): void {
  if (image.width !== width || image.height !== height || image.channels !== channels) {
    throw new Error(
      `augmentViews: the resize returned [${image.channels},${image.height},${image.width}], expected [${channels},${height},${width}]`,
    );
  }
  if (image.data.length !== channels * width * height) {
    throw new Error(
      `augmentViews: the resize returned ${image.data.length} bytes, expected ${channels * width * height}`,
    );
  }
}

/** ToTensor: 8-bit levels to [0,1] floats. */
function toUnit(image: ByteImage): Float32Array {
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i]! / 255;
  return out;
}

/**
 * AugMix as TPT's `augmix()`: w ~ Dirichlet(1,1,1), m ~ Beta(1,1); three chains of 1–3 random operations on
 * the crop; result m·crop + (1−m)·Σ wᵢ·chainᵢ. TPT mixes normalised tensors; the mix is affine with weights
 * summing to 1, so mixing before normalising (as here) gives the same values.
 */
function augmixView(crop: ByteImage, severity: number, rng: Rng): Float32Array {
  const weights = rng.dirichlet([1, 1, 1]);
  const m = rng.beta(1, 1);
  const original = toUnit(crop);
  const mix = new Float32Array(original.length);
  for (const weight of weights) {
    let augmented = crop;
    const depth = rng.int(1, 4);
    for (let d = 0; d < depth; d++) {
      const op = AUGMIX_OPS[rng.choice(AUGMIX_OP_NAMES)]!;
      augmented = op(augmented, severity, rng);
    }
    for (let i = 0; i < mix.length; i++) mix[i]! += (weight * augmented.data[i]!) / 255;
  }
  for (let i = 0; i < mix.length; i++) mix[i] = m * original[i]! + (1 - m) * mix[i]!;
  return mix;
}

/** The views as one tfjs tensor `[views, 3, size, size]` (float32, a copy; the caller disposes it). */
export function viewsToTensor(views: AugmentedViews): tf.Tensor4D {
  return tf.tensor4d(views.data, [...views.shape], 'float32');
}
