// PNG encoding of planar float images (samples, test-time views) for the browser. Images are upscaled with
// nearest neighbour so 28-pixel digits stay crisp and legible on screen.
import { clampByte, type FloatImage } from '@attune/data';
import { PNG } from 'pngjs';

export function encodePng(image: FloatImage, scale = 1): Buffer {
  const { width, height, channels, data } = image;
  const plane = width * height;
  const png = new PNG({ width: width * scale, height: height * scale });
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const source = Math.floor(y / scale) * width + Math.floor(x / scale);
      const target = 4 * (y * width * scale + x);
      for (let c = 0; c < 3; c++) {
        const channel = channels >= 3 ? c : 0;
        png.data[target + c] = clampByte(data[channel * plane + source]! * 255);
      }
      png.data[target + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** One view of a [N,3,S,S] batch as a planar image. */
export function viewImage(batch: Float32Array, index: number, size: number): FloatImage {
  const length = 3 * size * size;
  return { width: size, height: size, channels: 3, data: batch.slice(index * length, (index + 1) * length) };
}
