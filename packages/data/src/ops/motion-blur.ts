/**
 * ImageMagick's MotionBlurImage (effect.c), which ImageNet-C calls through Wand: a one-sided kernel of
 * width 2·ceil(radius)+1 with half-Gaussian weights exp(−i²/2σ²), normalised, applied along the direction
 * `angle` (degrees) at integer offsets round(i·cos θ), round(i·sin θ); edge pixels repeat (IM's default
 * virtual-pixel method).
 */
export function motionBlurPlane(
  plane: Float32Array,
  width: number,
  height: number,
  radius: number,
  sigma: number,
  angleDegrees: number,
): Float32Array {
  const kernelWidth = 2 * Math.ceil(radius) + 1;
  const weights = new Float64Array(kernelWidth);
  let total = 0;
  for (let i = 0; i < kernelWidth; i++) {
    weights[i] = Math.exp(-(i * i) / (2 * sigma * sigma));
    total += weights[i]!;
  }
  for (let i = 0; i < kernelWidth; i++) weights[i]! /= total;
  const theta = (angleDegrees * Math.PI) / 180;
  const px = kernelWidth * Math.sin(theta);
  const py = kernelWidth * Math.cos(theta);
  const norm = Math.hypot(px, py);
  const dx = new Int32Array(kernelWidth);
  const dy = new Int32Array(kernelWidth);
  for (let i = 0; i < kernelWidth; i++) {
    dx[i] = Math.ceil((i * py) / norm - 0.5);
    dy[i] = Math.ceil((i * px) / norm - 0.5);
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let i = 0; i < kernelWidth; i++) {
        const xi = Math.min(width - 1, Math.max(0, x + dx[i]!));
        const yi = Math.min(height - 1, Math.max(0, y + dy[i]!));
        sum += weights[i]! * plane[yi * width + xi]!;
      }
      out[y * width + x] = sum;
    }
  }
  return out;
}
