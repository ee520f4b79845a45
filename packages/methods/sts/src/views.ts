// The 64 test-time views of an image when the caller supplies none: view 0 is the image resized and
// centre-cropped, views 1.. are RandomResizedCrop(scale 0.08–1, ratio 3/4–4/3) + horizontal flip (TPT's
// protocol, which STS follows; no AugMix).
import { augmentViews, type FloatImage } from '@attune/data';
import { checkRawImage, isByteImage, type RawImage } from '@attune/models';
import { tf } from '@attune/tensor';

/** A RawImage (interleaved HWC, uint8 or [0,1] floats) as @attune/data's planar [C,H,W] float image; alpha is dropped. */
export function toFloatImage(image: RawImage): FloatImage {
  checkRawImage(image);
  const { width, height, channels, data } = image;
  const planes = channels === 1 ? 1 : 3;
  const scale = isByteImage(image) ? 1 / 255 : 1;
  const size = width * height;
  const out = new Float32Array(planes * size);
  for (let i = 0; i < size; i++) {
    for (let c = 0; c < planes; c++) out[c * size + i] = data[i * channels + c]! * scale;
  }
  return { width, height, channels: planes, data: out };
}

/** `views` views [views,3,size,size] in [0,1], view 0 the un-augmented image; the same seed gives the same views. */
export function testTimeViews(image: RawImage, views: number, size: number, seed: number): tf.Tensor4D {
  const { data, shape } = augmentViews(toFloatImage(image), { views, size, seed });
  return tf.tensor4d(data, [...shape]);
}
