import { assertImage, type FloatImage } from '../image.js';
import { atReferenceScale } from '../ops/reference-scale.js';
import { checkSeed, createRng, type Rng } from '../random.js';
import { defocusBlur, glassBlur, motionBlur, zoomBlur } from './blur.js';
import { contrast, elasticTransform, jpegCompression, pixelate } from './digital.js';
import { gaussianNoise, impulseNoise, shotNoise } from './noise.js';
import { SEVERITY_TABLE } from './severity-table.js';
import { brightness, fog, frost, snow } from './weather.js';

/** The 15 ImageNet-C corruptions in their four families (Hendrycks & Dietterich 2019, Table/Fig. 1). */
export const CORRUPTION_FAMILIES = {
  noise: ['gaussian_noise', 'shot_noise', 'impulse_noise'],
  blur: ['defocus_blur', 'glass_blur', 'motion_blur', 'zoom_blur'],
  weather: ['snow', 'frost', 'fog', 'brightness'],
  digital: ['contrast', 'elastic_transform', 'pixelate', 'jpeg_compression'],
} as const;

export type CorruptionFamily = keyof typeof CORRUPTION_FAMILIES;
export type CorruptionName = (typeof CORRUPTION_FAMILIES)[CorruptionFamily][number];

export const CORRUPTION_NAMES: readonly CorruptionName[] = Object.values(CORRUPTION_FAMILIES).flat();
export const SEVERITIES = [1, 2, 3, 4, 5] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Corruptions whose output does not depend on the seed. */
export const DETERMINISTIC_CORRUPTIONS: ReadonlySet<CorruptionName> = new Set([
  'defocus_blur',
  'zoom_blur',
  'brightness',
  'contrast',
  'pixelate',
  'jpeg_compression',
]);

type Apply = (image: FloatImage, severity: Severity, rng: Rng) => FloatImage;

const at = <T>(table: readonly T[], severity: Severity): T => table[severity - 1]!;

const APPLY: Record<CorruptionName, Apply> = {
  gaussian_noise: (image, s, rng) => gaussianNoise(image, at(SEVERITY_TABLE.gaussian_noise, s), rng),
  shot_noise: (image, s, rng) => shotNoise(image, at(SEVERITY_TABLE.shot_noise, s), rng),
  impulse_noise: (image, s, rng) => impulseNoise(image, at(SEVERITY_TABLE.impulse_noise, s), rng),
  defocus_blur: (image, s) => {
    const [radius, aliasBlur] = at(SEVERITY_TABLE.defocus_blur, s);
    return atReferenceScale(image, (large) => defocusBlur(large, radius, aliasBlur));
  },
  glass_blur: (image, s, rng) => {
    const [sigma, maxDelta, passes] = at(SEVERITY_TABLE.glass_blur, s);
    return atReferenceScale(image, (large) => glassBlur(large, sigma, maxDelta, passes, rng));
  },
  motion_blur: (image, s, rng) => {
    const [radius, sigma] = at(SEVERITY_TABLE.motion_blur, s);
    return atReferenceScale(image, (large) => motionBlur(large, radius, sigma, rng));
  },
  zoom_blur: (image, s) => zoomBlur(image, at(SEVERITY_TABLE.zoom_blur, s)),
  snow: (image, s, rng) => {
    const [mean, std, zoom, threshold, motionRadius, motionSigma, imageWeight] = at(SEVERITY_TABLE.snow, s);
    const parameters = { mean, std, zoom, threshold, motionRadius, motionSigma, imageWeight };
    return atReferenceScale(image, (large) => snow(large, parameters, rng));
  },
  frost: (image, s, rng) => {
    const [imageWeight, frostWeight] = at(SEVERITY_TABLE.frost, s);
    return frost(image, imageWeight, frostWeight, rng);
  },
  fog: (image, s, rng) => {
    const [amplitude, decay] = at(SEVERITY_TABLE.fog, s);
    return fog(image, amplitude, decay, rng);
  },
  brightness: (image, s) => brightness(image, at(SEVERITY_TABLE.brightness, s)),
  contrast: (image, s) => contrast(image, at(SEVERITY_TABLE.contrast, s)),
  elastic_transform: (image, s, rng) => {
    const side = Math.min(image.width, image.height);
    const [amplitude, smoothness, jitter] = at(SEVERITY_TABLE.elastic_transform, s);
    return elasticTransform(image, amplitude * side, smoothness * side, jitter * side, rng);
  },
  pixelate: (image, s) => pixelate(image, at(SEVERITY_TABLE.pixelate, s)),
  jpeg_compression: (image, s) => jpegCompression(image, at(SEVERITY_TABLE.jpeg_compression, s)),
};

export function isCorruptionName(name: string): name is CorruptionName {
  return Object.hasOwn(APPLY, name);
}

export function checkCorruptionName(name: string): asserts name is CorruptionName {
  if (!isCorruptionName(name)) {
    throw new Error(`unknown corruption "${name}", expected one of ${CORRUPTION_NAMES.join(', ')}`);
  }
}

export function checkSeverity(severity: number): asserts severity is Severity {
  if (!SEVERITIES.includes(severity as Severity)) {
    throw new Error(`severity must be an integer in 1..5, got ${severity}`);
  }
}

/** The family a corruption belongs to. */
export function corruptionFamily(name: string): CorruptionFamily {
  checkCorruptionName(name);
  const entry = Object.entries(CORRUPTION_FAMILIES).find(([, names]) =>
    (names as readonly string[]).includes(name),
  );
  return entry![0] as CorruptionFamily;
}

export interface CorruptOptions {
  /** Seed of the corruption's randomness (noise, shuffles, angles, textures); default 0. */
  readonly seed?: number;
}

/**
 * Applies one corruption at severity 1..5 to a float image in [0,1] (`[C,H,W]`, any size, though the
 * parameters are tuned for 28×28) and returns a new float image in [0,1] of the same shape. Deterministic
 * given the seed; each corruption draws from its own stream, so the same seed gives unrelated noise for
 * different corruptions.
 */
export function corrupt(
  image: FloatImage,
  name: string,
  severity: number,
  options: CorruptOptions = {},
): FloatImage {
  checkCorruptionName(name);
  checkSeverity(severity);
  assertImage(image, name);
  const seed = options.seed ?? 0;
  checkSeed(seed);
  const rng = createRng(seed).fork(name);
  return APPLY[name](image, severity, rng);
}
