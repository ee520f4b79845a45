/** Offsets (dx, dy) of a disk of radius r: every pixel centre within r of the origin. */
export function diskOffsets(radius: number): [number, number][] {
  if (!(radius >= 0 && Number.isFinite(radius))) {
    throw new Error(`disk radius must be a finite number >= 0, got ${radius}`);
  }
  const reach = Math.floor(radius);
  const offsets: [number, number][] = [];
  for (let dy = -reach; dy <= reach; dy++) {
    for (let dx = -reach; dx <= reach; dx++) if (dx * dx + dy * dy <= radius * radius) offsets.push([dx, dy]);
  }
  return offsets;
}

/**
 * Grey-level dilation (max) or erosion (min) of a `[H,W]` plane with a disk (scipy.ndimage.grey_dilation /
 * grey_erosion with a disk footprint). Outside the image counts as 0 (paper) for both, so erosion eats
 * strokes that touch the border as a pen lifted off the page would.
 */
export function greyMorphology(
  plane: Float32Array,
  width: number,
  height: number,
  radius: number,
  op: 'dilate' | 'erode',
): Float32Array {
  const offsets = diskOffsets(radius);
  const out = new Float32Array(width * height);
  const pick = op === 'dilate' ? Math.max : Math.min;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = op === 'dilate' ? -Infinity : Infinity;
      for (const [dx, dy] of offsets) {
        const sx = x + dx;
        const sy = y + dy;
        const v = sx < 0 || sy < 0 || sx >= width || sy >= height ? 0 : plane[sy * width + sx]!;
        value = pick(value, v);
      }
      out[y * width + x] = value;
    }
  }
  return out;
}
