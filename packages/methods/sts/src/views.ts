// The 64 test-time views of an image when the caller supplies none: view 0 is the image resized and
// centre-cropped, views 1.. are RandomResizedCrop(scale 0.08–1, ratio 3/4–4/3) + horizontal flip (TPT's
// protocol, which STS follows; no AugMix).
import type { RawImage } from '@attune/contracts';
import { augmentViews, type FloatImage, interleavedToPlanar } from '@attune/data';
import { checkRawImage } from '@attune/models';
import { tf } from '@attune/tensor';

/** A RawImage (interleaved HWC, uint8 or [0,1] floats) as @attune/data's planar [C,H,W] float image; alpha is dropped. */
export function toFloatImage(image: RawImage): FloatImage {
  checkRawImage(image);
  return interleavedToPlanar(image);
}

/** `views` views [views,3,size,size] in [0,1], view 0 the un-augmented image; the same seed gives the same views. */
export function testTimeViews(image: RawImage, views: number, size: number, seed: number): tf.Tensor4D {
  const { data, shape } = augmentViews(toFloatImage(image), { views, size, seed });
  return tf.tensor4d(data, [...shape]);
}
