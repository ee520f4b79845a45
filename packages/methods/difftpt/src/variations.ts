// Where DiffTPT's generated views come from: the caller, a folder of precomputed variations (the released
// code reads `<image name>_<i>.<ext>` Stable Diffusion outputs from --diff_root), or an image-variation model at
// run time. Every generated image is resized and centre-cropped like view 0 (the code's data_transform_diffu:
// Resize(bicubic) + CenterCrop + ToTensor + Normalize), giving views in [0,1].
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { augmentViews, type FloatImage, IMAGE_EXTENSIONS, readImageFile } from '@attune/data';
import { tf } from '@attune/tensor';

/** The file of variation `index` of the image `name`: `<name>_<i><ext>`, ext from the name or '.png'. */
export function variationPath(dir: string, name: string, index: number): string {
  const ext = extname(name);
  const known = (IMAGE_EXTENSIONS as readonly string[]).includes(ext.toLowerCase());
  const stem = known ? name.slice(0, -ext.length) : name;
  return join(dir, `${stem}_${index}${known ? ext : '.png'}`);
}

/** One image resized (shorter side, bicubic) and centre-cropped to size × size, RGB in [0,1]: [3,S,S]. */
export function centreView(image: FloatImage, size: number): Float32Array {
  return augmentViews(image, { views: 1, size, seed: 0 }).data;
}

/**
 * Reads `count` variations `<dir>/<name>_<i>.png` (i = 0..count-1) as views [count,3,size,size] in [0,1].
 * The caller owns the tensor.
 */
export function readVariationFolder(dir: string, name: string, count: number, size: number): tf.Tensor4D {
  if (!name) {
    throw new Error(
      `reading generated views from ${dir} needs the input's name (files are <name>_<i>.png); pass { name } with the image`,
    );
  }
  const plane = 3 * size * size;
  const data = new Float32Array(count * plane);
  for (let i = 0; i < count; i++) {
    const path = variationPath(dir, name, i);
    if (!existsSync(path)) {
      throw new Error(
        `generated view ${i} of "${name}" not found: expected ${path} (${count} files ${variationPath(dir, name, 0)} .. _${count - 1}); set generatedViews to how many there are`,
      );
    }
    data.set(centreView(readImageFile(path), size), i * plane);
  }
  return tf.tensor4d(data, [count, 3, size, size]);
}

/** Checks caller-supplied generated views: float [G,3,H,W], G >= 1. */
export function checkGeneratedViews(views: unknown): asserts views is tf.Tensor4D {
  if (!(views instanceof tf.Tensor) || views.rank !== 4 || views.shape[1] !== 3 || views.shape[0]! < 1) {
    const got = views instanceof tf.Tensor ? `[${views.shape.join(',')}]` : String(views);
    throw new Error(`expected generatedViews as a tf.Tensor4D [G,3,H,W] in [0,1] with G >= 1, got ${got}`);
  }
  if (views.dtype !== 'float32')
    throw new Error(`expected float32 generatedViews in [0,1], got ${views.dtype}`);
}
