import { PNG } from 'pngjs';
import { corrupt } from './corruptions/corrupt.js';
import { assertImage, clampByte, type FloatImage, replicateChannels } from './image.js';
import { isRenditionName, render } from './renditions/rendition.js';

export interface PreviewGridOptions {
  /** Integer upscaling of each tile (nearest neighbour, so pixels stay crisp); default 4 (28 px -> 112 px). */
  readonly scale?: number;
  /** Seed passed to every corruption; default 0. */
  readonly seed?: number;
  /** Gap between tiles in output pixels; default 2. */
  readonly gap?: number;
}

/**
 * Renders a contact sheet as PNG bytes: one row per corruption (or rendition), columns = the clean image then each
 * severity. Row r shows images[r % images.length], so a few images give variety down the sheet. Grey
 * images are drawn grey; tiles are upscaled with nearest neighbour so corruption pixels stay visible.
 */
export function renderPreviewGrid(
  images: FloatImage | readonly FloatImage[],
  corruptions: readonly string[],
  severities: readonly number[],
  options: PreviewGridOptions = {},
): Uint8Array {
  const list = Array.isArray(images) ? (images as readonly FloatImage[]) : [images as FloatImage];
  if (list.length === 0) throw new Error('renderPreviewGrid: expected at least one image');
  if (corruptions.length === 0) throw new Error('renderPreviewGrid: expected at least one corruption');
  const scale = options.scale ?? 4;
  const gap = options.gap ?? 2;
  if (!Number.isInteger(scale) || scale < 1)
    throw new Error(`renderPreviewGrid: scale must be an integer >= 1, got ${scale}`);
  list.forEach((image, i) => {
    assertImage(image, `renderPreviewGrid image ${i}`);
  });
  const tileWidth = Math.max(...list.map((image) => image.width)) * scale;
  const tileHeight = Math.max(...list.map((image) => image.height)) * scale;
  const columns = 1 + severities.length;
  const width = columns * tileWidth + (columns + 1) * gap;
  const height = corruptions.length * tileHeight + (corruptions.length + 1) * gap;
  const png = new PNG({ width, height });
  png.data.fill(255);
  corruptions.forEach((name, row) => {
    const clean = list[row % list.length]!;
    const tiles = [
      clean,
      ...severities.map((severity) =>
        isRenditionName(name)
          ? render(clean, name, severity, { seed: options.seed ?? 0 })
          : corrupt(clean, name, severity, { seed: options.seed ?? 0 }),
      ),
    ];
    tiles.forEach((tile, column) => {
      drawTile(png, tile, gap + column * (tileWidth + gap), gap + row * (tileHeight + gap), scale);
    });
  });
  return new Uint8Array(PNG.sync.write(png));
}

function drawTile(png: PNG, tile: FloatImage, left: number, top: number, scale: number): void {
  if (tile.channels !== 1 && tile.channels !== 3) {
    throw new Error(`renderPreviewGrid: expected 1- or 3-channel images, got ${tile.channels} channels`);
  }
  const rgb = replicateChannels(tile, 3);
  const { width, height } = rgb;
  const size = width * height;
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const source = Math.floor(y / scale) * width + Math.floor(x / scale);
      const at = ((top + y) * png.width + left + x) * 4;
      for (let c = 0; c < 3; c++) png.data[at + c] = clampByte(rgb.data[c * size + source]! * 255);
      png.data[at + 3] = 255;
    }
  }
}
