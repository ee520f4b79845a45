/**
 * A decoded image as the model adapters accept it: interleaved HWC pixels, either uint8 (0..255) or float
 * (0..1). Grayscale (1), RGB (3) and RGBA (4) are accepted; alpha is dropped.
 */
export interface RawImage {
  readonly data: Uint8Array | Uint8ClampedArray | Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}
