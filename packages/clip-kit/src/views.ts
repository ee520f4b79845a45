// The test-time views of one image and their image features, as TPT's AugMixAugmenter makes them (STS and
// DiffTPT follow the same protocol): view 0 = the image resized and centre-cropped; the others
// RandomResizedCrop(scale 0.08–1, ratio 3/4–4/3) + horizontal flip, optionally AugMix; then the frozen image
// tower, once, without gradients.
import type { RawImage } from '@attune/contracts';
import {
  augmentViews,
  augmentViewsWith,
  type ByteImage,
  type FloatImage,
  interleavedToByteImage,
  interleavedToPlanar,
  planViews,
} from '@attune/data';
import { checkRawImage, type VisionLanguageModel } from '@attune/models';
import { tf } from '@attune/tensor';

/** A RawImage (interleaved HWC, uint8 or float in [0,1]) as @attune/data's planar float image; alpha dropped. */
export function rawToFloatImage(image: RawImage): FloatImage {
  checkRawImage(image);
  return interleavedToPlanar(image);
}

/** The image as the views pipeline takes it: 8-bit input stays 8-bit (no float round trip); floats as floats. */
function viewSource(image: RawImage): FloatImage | ByteImage {
  const { data } = image;
  if (data instanceof Float32Array) return rawToFloatImage(image);
  checkRawImage(image);
  return interleavedToByteImage({ width: image.width, height: image.height, channels: image.channels, data });
}

export interface ViewOptions {
  /** Views including view 0. */
  readonly views: number;
  readonly seed: number;
  /** AugMix on the augmented views (TPT: fine-grained sets only). Default false. */
  readonly augmix?: boolean;
}

/**
 * Who resizes the random crops: 'onnx' = onnxruntime's antialiased Resize (several times faster; at most one
 * level from PIL in a few pixels per ten thousand), 'pil' = PIL's fixed-point passes in JS, bit for bit.
 */
export type ViewResize = 'onnx' | 'pil';

/**
 * testTimeViews with the crops resized where `resize` says: 'onnx' (the default for the methods) when the
 * model has a native resize, else PIL's passes in JS. Same crops, boxes and flips for the same seed.
 */
export async function buildTestTimeViews(
  model: Pick<VisionLanguageModel, 'imageSize' | 'resizeBytesNative' | 'buildViewsNative'>,
  image: RawImage,
  options: ViewOptions & { readonly resize?: ViewResize },
): Promise<tf.Tensor4D> {
  const native = model.resizeBytesNative?.bind(model);
  if ((options.resize ?? 'onnx') === 'pil' || native === undefined)
    return testTimeViews(model, image, options);
  // Without AugMix every random draw can be made up front, so one native call builds all the views from
  // the photo's own bytes (the same crops, flips and resize as the per-crop path below, bit for bit).
  const { data: pixels, width, height, channels } = image;
  if (!options.augmix && model.buildViewsNative && !(pixels instanceof Float32Array)) {
    checkRawImage(image);
    const plan = planViews(width, height, {
      views: options.views,
      size: model.imageSize,
      seed: options.seed,
    });
    const views = await model.buildViewsNative({ data: pixels, width, height, channels }, plan);
    return tf.tensor4d(views.data, [...views.shape]);
  }
  const { data, shape } = await augmentViewsWith(
    viewSource(image),
    { views: options.views, size: model.imageSize, seed: options.seed, augmix: options.augmix ?? false },
    (crop) => native(crop),
  );
  return tf.tensor4d(data, [...shape]);
}

/**
 * The views of `image` at the model's input size: [views,3,S,S] in [0,1], view 0 un-augmented; the same
 * seed gives the same views. The caller owns the tensor.
 */
export function testTimeViews(
  model: Pick<VisionLanguageModel, 'imageSize'>,
  image: RawImage,
  options: ViewOptions,
): tf.Tensor4D {
  const { data, shape } = augmentViews(viewSource(image), {
    views: options.views,
    size: model.imageSize,
    seed: options.seed,
    augmix: options.augmix ?? false,
  });
  return tf.tensor4d(data, [...shape]);
}

/** Checks caller-supplied views: a float tensor [N,3,H,W] with N >= 1 (values are checked by the model). */
export function checkViews(views: unknown): asserts views is tf.Tensor4D {
  if (!(views instanceof tf.Tensor)) {
    throw new TypeError(`expected views as a tf.Tensor4D [N,3,H,W] in [0,1], got ${describe(views)}`);
  }
  if (views.rank !== 4 || views.shape[1] !== 3 || views.shape[0]! < 1) {
    throw new Error(
      `expected views [N,3,H,W] with N >= 1 (view 0 = the original image), got [${views.shape.join(',')}]`,
    );
  }
  if (views.dtype !== 'float32') throw new Error(`expected float32 views in [0,1], got ${views.dtype}`);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/** Raw image features [N,D] of views in [0,1] [N,3,H,W]: normalised as CLIP does, then the image tower. */
export async function encodeViews(
  model: Pick<VisionLanguageModel, 'normalizeViews' | 'encodeImages'>,
  views: tf.Tensor4D,
): Promise<tf.Tensor2D> {
  const pixels = model.normalizeViews(views);
  try {
    return await model.encodeImages(pixels);
  } finally {
    pixels.dispose();
  }
}
