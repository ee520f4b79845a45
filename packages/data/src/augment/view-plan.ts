// Where each of TPT's test-time views comes from, drawn before any pixel is touched: the same random draws,
// in the same order, as augmentViews makes without AugMix (a crop box, then the flip, per view). A native
// pipeline (@attune/backend-onnx's TestTimeViewsGraph) builds the views from this plan in one call.
import { roundHalfEven } from '../ops/geometry.js';
import { checkSeed, createRng, type Rng } from '../random.js';
import { shorterSideTarget } from './byte-image.js';
import { type CropBox, sampleResizedCropBox } from './random-resized-crop.js';

export interface PlannedCrop extends CropBox {
  /** torchvision RandomHorizontalFlip's draw: mirrored left–right. */
  readonly flip: boolean;
}

export interface ViewPlan {
  /** Output side of every view. */
  readonly size: number;
  /** View 0: the image resized (shorter side to size, bicubic) when `resize` is set, then centre-cropped. */
  readonly first: {
    readonly resize?: { readonly width: number; readonly height: number };
    readonly left: number;
    readonly top: number;
  };
  /** Views 1..: RandomResizedCrop's box of the raw image (resized to size², bilinear) and the flip. */
  readonly crops: readonly PlannedCrop[];
}

/** One augmented view's draws: RandomResizedCrop.get_params, then RandomHorizontalFlip (p = 0.5). */
export function drawCrop(height: number, width: number, rng: Rng): PlannedCrop {
  const box = sampleResizedCropBox(height, width, rng);
  return { ...box, flip: rng.uniform() < 0.5 };
}

/** View 0's geometry: torchvision Resize(size, BICUBIC) then CenterCrop(size) (Python rounding). */
export function firstViewGeometry(width: number, height: number, size: number): ViewPlan['first'] {
  const resize = shorterSideTarget(width, height, size);
  const w = resize?.width ?? width;
  const h = resize?.height ?? height;
  const crop = { left: roundHalfEven((w - size) / 2), top: roundHalfEven((h - size) / 2) };
  return resize ? { resize, ...crop } : crop;
}

/** The plan of `views` views (view 0 included) of a width × height image at `size`, for `seed`. */
export function planViews(
  width: number,
  height: number,
  options: { readonly views?: number; readonly size?: number; readonly seed?: number } = {},
): ViewPlan {
  const { views = 64, size = 224, seed = 0 } = options;
  if (!Number.isInteger(views) || views < 1)
    throw new Error(`planViews: views must be an integer >= 1, got ${views}`);
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`planViews: size must be an integer >= 1, got ${size}`);
  if (![width, height].every((v) => Number.isInteger(v) && v >= 1))
    throw new Error(`planViews: expected positive integer image sizes, got ${width}x${height}`);
  checkSeed(seed);
  const rng = createRng(seed);
  const crops = Array.from({ length: views - 1 }, () => drawCrop(height, width, rng));
  return { size, first: firstViewGeometry(width, height, size), crops };
}
