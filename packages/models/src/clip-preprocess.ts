/**
 * CLIP's image preprocessing (OpenAI clip/clip.py `_transform`, the same as Hugging Face's CLIPImageProcessor):
 * Resize(S, BICUBIC) of the shorter side on the PIL image, CenterCrop(S), convert to RGB, ToTensor (/255),
 * Normalize(mean, std). Computed with Pillow's own resampling arithmetic and torch's float32 rounding, so a
 * uint8 image gives the numbers torchvision gives (see test/clip-preprocess.test.ts).
 *
 * Deliberate difference: an RGBA image has its alpha dropped before resizing. Pillow resizes RGBA in
 * premultiplied-alpha space; the two agree wherever alpha is 255.
 */

import type { RawImage } from '@attune/contracts';
import { pilResize, type ResampleFilter } from './pil-resize.js';
import { checkRawImage, isByteImage } from './raw-image.js';

export interface PreprocessOptions {
  /** Output side S. */
  readonly size: number;
  /** Per-channel mean and std (RGB) of the normalisation. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** CLIP resizes with bicubic interpolation. */
  readonly filter?: ResampleFilter;
  /** false: stop after ToTensor (RGB in [0,1], no mean/std). Default true. */
  readonly normalize?: boolean;
}

/** What preprocessing does to an image of a given size: the resize (if any) and the centre crop. */
export interface PreprocessPlan {
  readonly input: { readonly width: number; readonly height: number };
  /** Undefined when the shorter side already equals S. */
  readonly resizeTo: { readonly width: number; readonly height: number } | undefined;
  readonly crop: { readonly left: number; readonly top: number; readonly size: number };
  /** One line for logs and results, e.g. "resized 40x30 -> 37x28 (bicubic), centre crop 28x28 at (4, 0)". */
  readonly note: string;
}

/** Python's round(): halves to even (torchvision's centre crop uses it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision's `_compute_resized_output_size` for an int size, then `center_crop`'s offsets. */
export function planPreprocess(
  width: number,
  height: number,
  size: number,
  filter: ResampleFilter = 'bicubic',
) {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`preprocess: expected a positive integer size, got ${size}`);
  const [short, long] = width <= height ? [width, height] : [height, width];
  const newLong = Math.trunc((size * long) / short);
  const [resizedWidth, resizedHeight] = width <= height ? [size, newLong] : [newLong, size];
  const same = resizedWidth === width && resizedHeight === height;
  const top = roundHalfEven((resizedHeight - size) / 2);
  const left = roundHalfEven((resizedWidth - size) / 2);
  const resizeNote = same
    ? 'no resize'
    : `resized ${width}x${height} -> ${resizedWidth}x${resizedHeight} (${filter})`;
  const cropNote =
    resizedWidth === size && resizedHeight === size
      ? ''
      : `, centre crop ${size}x${size} at (${left}, ${top})`;
  const plan: PreprocessPlan = {
    input: { width, height },
    resizeTo: same ? undefined : { width: resizedWidth, height: resizedHeight },
    crop: { left, top, size },
    note: `${resizeNote}${cropNote}`,
  };
  return plan;
}

/**
 * CHW float32 pixels [3, S, S], normalised (or in [0,1] with `normalize: false`). Grayscale is replicated to RGB, alpha dropped. Throws on a bad
 * image (see checkRawImage).
 */
export function clipPreprocess(
  image: RawImage,
  options: PreprocessOptions,
): { pixels: Float32Array; plan: PreprocessPlan } {
  checkRawImage(image);
  const { size, mean, std } = options;
  const filter = options.filter ?? 'bicubic';
  if (mean.length !== 3 || std.length !== 3) {
    throw new Error(`preprocess: expected 3 channel means and stds, got ${mean.length} and ${std.length}`);
  }
  const plan = planPreprocess(image.width, image.height, size, filter);
  const bytes = isByteImage(image);
  // Drop alpha first (see the file comment); grayscale stays one channel until the end (resizing is per channel).
  const channels = image.channels === 1 ? 1 : 3;
  const data = image.channels === 4 ? dropAlpha(image.data, bytes) : toPlainArray(image.data, bytes);
  let pixels = { data, width: image.width, height: image.height, channels };
  if (plan.resizeTo) pixels = pilResize(pixels, plan.resizeTo.width, plan.resizeTo.height, filter);

  const out = new Float32Array(3 * size * size);
  const normalize = options.normalize ?? true;
  const meanF = mean.map(Math.fround);
  const stdF = std.map(Math.fround);
  const { left, top } = plan.crop;
  for (let c = 0; c < 3; c++) {
    const source = channels === 1 ? 0 : c;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = pixels.data[((y + top) * pixels.width + (x + left)) * channels + source]!;
        // torch: ToTensor divides in float32, Normalize subtracts and divides in float32.
        const unit = bytes ? Math.fround(v / 255) : v;
        out[(c * size + y) * size + x] = normalize
          ? Math.fround(Math.fround(unit - meanF[c]!) / stdF[c]!)
          : unit;
      }
    }
  }
  return { pixels: out, plan };
}

function toPlainArray(data: RawImage['data'], bytes: boolean): Uint8Array | Float32Array {
  if (!bytes) return data as Float32Array;
  return data instanceof Uint8ClampedArray
    ? new Uint8Array(data.buffer, data.byteOffset, data.length)
    : (data as Uint8Array);
}

function dropAlpha(data: RawImage['data'], bytes: boolean): Uint8Array | Float32Array {
  const n = data.length / 4;
  const out = bytes ? new Uint8Array(n * 3) : new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = data[i * 4]!;
    out[i * 3 + 1] = data[i * 4 + 1]!;
    out[i * 3 + 2] = data[i * 4 + 2]!;
  }
  return out;
}
