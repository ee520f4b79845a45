import { assertImage, clip01, type FloatImage, mapChannels } from '../image.js';
import { clippedZoom, sampleBilinear } from '../ops/geometry.js';
import { greyMorphology } from '../ops/morphology.js';
import { plasmaFractal } from '../ops/plasma-fractal.js';
import { sobelMagnitude } from '../ops/sobel.js';
import { checkSeed, createRng, type Rng } from '../random.js';

/**
 * Natural-style renditions of a test image, beyond ImageNet-C's corruptions: what ImageNet-Sketch and
 * ImageNet-R are to ImageNet, built from the digits and clothes here. The image keeps its class and its
 * shape; what changes is how it is drawn (outline, negative, texture), the pen (stroke width) or the
 * framing (scale, position).
 */
export const RENDITION_FAMILIES = {
  rendition: ['sketch', 'inverted', 'stylised'],
  stroke: ['thick', 'thin'],
  framing: ['zoom_out', 'zoom_in', 'translate'],
} as const;

export type RenditionFamily = keyof typeof RENDITION_FAMILIES;
export type RenditionName = (typeof RENDITION_FAMILIES)[RenditionFamily][number];
export const RENDITION_NAMES: readonly RenditionName[] = Object.values(RENDITION_FAMILIES).flat();

/** Renditions whose output does not depend on the seed. */
export const DETERMINISTIC_RENDITIONS: ReadonlySet<RenditionName> = new Set([
  'sketch',
  'inverted',
  'thick',
  'thin',
  'zoom_out',
  'zoom_in',
]);

/** Per severity 1..5 (index 0..4): the parameter each rendition reads, in the units its comment names. */
export const RENDITION_TABLE = {
  /** weight of the Sobel outline against the filled glyph (1 = outline only). */
  sketch: [0.6, 0.7, 0.8, 0.9, 1.0],
  /** weight of the negative (1 = fully inverted; 0.5 would be flat grey). */
  inverted: [0.8, 0.85, 0.9, 0.95, 1.0],
  /** brightness of the background texture (the glyph is filled with another texture). */
  stylised: [0.15, 0.25, 0.35, 0.45, 0.55],
  /** [disk radius in pixels, blend weight of the dilated image]. */
  thick: [
    [1, 0.5],
    [1, 1],
    [1.5, 1],
    [2, 1],
    [2.5, 1],
  ],
  /** [disk radius in pixels, blend weight of the eroded image]. */
  thin: [
    [1, 0.4],
    [1, 0.6],
    [1, 0.8],
    [1, 1],
    [1.5, 1],
  ],
  /** the glyph's new size as a fraction of the frame, centred on a blank page. */
  zoom_out: [0.8, 0.7, 0.6, 0.5, 0.4],
  /** zoom factor of the central crop (the glyph overflows the frame). */
  zoom_in: [1.2, 1.35, 1.5, 1.65, 1.8],
  /** shift in pixels along a seeded direction, blank where the page moved in. */
  translate: [3, 4, 5, 6, 7],
} as const;

type Apply = (image: FloatImage, severity: number, rng: Rng) => FloatImage;

const at = <T>(table: readonly T[], severity: number): T => table[severity - 1]!;

function sketch(image: FloatImage, weight: number): FloatImage {
  const { width, height } = image;
  return mapChannels(image, (plane) => {
    const edges = sobelMagnitude(plane, width, height);
    let max = 0;
    for (const v of edges) if (v > max) max = v;
    const out = new Float32Array(plane.length);
    for (let i = 0; i < out.length; i++) {
      const outline = max > 0 ? edges[i]! / max : 0;
      out[i] = clip01((1 - weight) * plane[i]! + weight * outline);
    }
    return out;
  });
}

function stylised(image: FloatImage, background: number, rng: Rng): FloatImage {
  const { width, height } = image;
  const mapSize = 2 ** Math.ceil(Math.log2(Math.max(width, height, 2)));
  // Two independent fractal textures: one fills the glyph, one paints the page.
  const inside = plasmaFractal(rng.fork('inside'), mapSize, 1.5);
  const outside = plasmaFractal(rng.fork('outside'), mapSize, 1.5);
  return mapChannels(image, (plane) => {
    const out = new Float32Array(plane.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const fill = 0.35 + 0.65 * inside[y * mapSize + x]!;
        const page = background * outside[y * mapSize + x]!;
        out[i] = clip01(plane[i]! * fill + (1 - plane[i]!) * page);
      }
    }
    return out;
  });
}

function morphology(image: FloatImage, [radius, weight]: readonly number[], op: 'dilate' | 'erode') {
  const { width, height } = image;
  return mapChannels(image, (plane) => {
    const morphed = greyMorphology(plane, width, height, radius!, op);
    return plane.map((v, i) => (1 - weight!) * v + weight! * morphed[i]!);
  });
}

/** Resamples the image by `transform` (output pixel centre -> input position); outside is blank (0). */
function resample(image: FloatImage, transform: (x: number, y: number) => [number, number]): FloatImage {
  const { width, height } = image;
  return mapChannels(image, (plane) => {
    const out = new Float32Array(plane.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [sx, sy] = transform(x, y);
        out[y * width + x] = clip01(sampleBilinear(plane, width, height, sx, sy, 'constant'));
      }
    }
    return out;
  });
}

function zoomOut(image: FloatImage, size: number): FloatImage {
  const cx = (image.width - 1) / 2;
  const cy = (image.height - 1) / 2;
  return resample(image, (x, y) => [cx + (x - cx) / size, cy + (y - cy) / size]);
}

function translate(image: FloatImage, shift: number, rng: Rng): FloatImage {
  const angle = rng.uniform(0, 2 * Math.PI);
  const dx = Math.round(shift * Math.cos(angle));
  const dy = Math.round(shift * Math.sin(angle));
  return resample(image, (x, y) => [x - dx, y - dy]);
}

const APPLY: Record<RenditionName, Apply> = {
  sketch: (image, s) => sketch(image, at(RENDITION_TABLE.sketch, s)),
  inverted: (image, s) => {
    const w = at(RENDITION_TABLE.inverted, s);
    return { ...image, data: image.data.map((v) => w * (1 - v) + (1 - w) * v) };
  },
  stylised: (image, s, rng) => stylised(image, at(RENDITION_TABLE.stylised, s), rng),
  thick: (image, s) => morphology(image, at(RENDITION_TABLE.thick, s), 'dilate'),
  thin: (image, s) => morphology(image, at(RENDITION_TABLE.thin, s), 'erode'),
  zoom_out: (image, s) => zoomOut(image, at(RENDITION_TABLE.zoom_out, s)),
  zoom_in: (image, s) =>
    mapChannels(image, (plane) =>
      clippedZoom(plane, image.width, image.height, at(RENDITION_TABLE.zoom_in, s)).map(clip01),
    ),
  translate: (image, s, rng) => translate(image, at(RENDITION_TABLE.translate, s), rng),
};

export function isRenditionName(name: string): name is RenditionName {
  return Object.hasOwn(APPLY, name);
}

export function checkRenditionName(name: string): asserts name is RenditionName {
  if (!isRenditionName(name)) {
    throw new Error(`unknown rendition "${name}", expected one of ${RENDITION_NAMES.join(', ')}`);
  }
}

/** The family a rendition belongs to (rendition, stroke, framing). */
export function renditionFamily(name: string): RenditionFamily {
  checkRenditionName(name);
  const entry = Object.entries(RENDITION_FAMILIES).find(([, names]) =>
    (names as readonly string[]).includes(name),
  );
  return entry![0] as RenditionFamily;
}

export interface RenderOptions {
  /** Seed of the rendition's randomness (textures, shift direction); default 0. */
  readonly seed?: number;
}

/**
 * Renders a float image in [0,1] (`[C,H,W]`; parameters tuned for 28×28 white-on-black glyphs) as one of
 * the renditions at severity 1..5; returns a new image of the same shape in [0,1]. Deterministic given
 * the seed.
 */
export function render(
  image: FloatImage,
  name: string,
  severity: number,
  options: RenderOptions = {},
): FloatImage {
  checkRenditionName(name);
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) {
    throw new Error(`severity must be an integer in 1..5, got ${severity}`);
  }
  assertImage(image, name);
  const seed = options.seed ?? 0;
  checkSeed(seed);
  return APPLY[name](image, severity, createRng(seed).fork(name));
}
