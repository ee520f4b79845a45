// The test-time views of one image and their image features, as TPT's AugMixAugmenter makes them (STS and
// DiffTPT follow the same protocol): view 0 = the image resized and centre-cropped; the others
// RandomResizedCrop(scale 0.08–1, ratio 3/4–4/3) + horizontal flip, optionally AugMix; then the frozen image
// tower, once, without gradients.
import type { RawImage } from '@attune/contracts';
import { augmentViews, type FloatImage, interleavedToPlanar } from '@attune/data';
import { checkRawImage, type VisionLanguageModel } from '@attune/models';
import { tf } from '@attune/tensor';

/** A RawImage (interleaved HWC, uint8 or float in [0,1]) as @attune/data's planar float image; alpha dropped. */
export function rawToFloatImage(image: RawImage): FloatImage {
  checkRawImage(image);
  return interleavedToPlanar(image);
}

export interface ViewOptions {
  /** Views including view 0. */
  readonly views: number;
  readonly seed: number;
  /** AugMix on the augmented views (TPT: fine-grained sets only). Default false. */
  readonly augmix?: boolean;
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
  const { data, shape } = augmentViews(rawToFloatImage(image), {
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
