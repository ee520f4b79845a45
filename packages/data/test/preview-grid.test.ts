import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { corrupt, renderPreviewGrid } from '../src/index.js';
import { realImages } from './real-images.js';

describe('renderPreviewGrid', () => {
  const { mnist, fashion } = realImages();

  it('draws rows = corruptions, columns = clean + severities, upscaled with gaps', () => {
    const bytes = renderPreviewGrid([mnist[0]!, fashion[0]!], ['fog', 'pixelate'], [1, 3, 5], {
      scale: 3,
      gap: 2,
    });
    const png = PNG.sync.read(Buffer.from(bytes));
    expect(png.width).toBe(4 * 84 + 5 * 2);
    expect(png.height).toBe(2 * 84 + 3 * 2);
    const pixel = (x: number, y: number) => png.data[(y * png.width + x) * 4]!;
    // Row 0, column 0: the clean MNIST image, each source pixel a 3×3 block.
    for (const [sx, sy] of [
      [14, 14],
      [5, 20],
    ] as const) {
      expect(pixel(2 + sx * 3 + 1, 2 + sy * 3 + 2)).toBe(Math.round(mnist[0]!.data[sy * 28 + sx]! * 255));
    }
    // Row 1 uses the second image; column 3 is pixelate at severity 5.
    const pixelated = corrupt(fashion[0]!, 'pixelate', 5, { seed: 0 });
    const left = 2 + 3 * (84 + 2);
    const top = 2 + 84 + 2;
    expect(pixel(left + 10 * 3, top + 12 * 3)).toBe(Math.round(pixelated.data[12 * 28 + 10]! * 255));
    // Gaps are white.
    expect(pixel(0, 0)).toBe(255);
  });

  it('rejects empty inputs and bad names', () => {
    expect(() => renderPreviewGrid([], ['fog'], [1])).toThrow('expected at least one image');
    expect(() => renderPreviewGrid(mnist[0]!, [], [1])).toThrow('expected at least one corruption');
    expect(() => renderPreviewGrid(mnist[0]!, ['smog'], [1])).toThrow('unknown corruption "smog"');
    expect(() => renderPreviewGrid(mnist[0]!, ['fog'], [9])).toThrow(
      'severity must be an integer in 1..5, got 9',
    );
  });
});
