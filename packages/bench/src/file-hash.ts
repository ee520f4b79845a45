import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** sha256 (hex) of a file's bytes: pins a sample list so a resumed run provably uses the same samples. */
export function sha256File(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read sample list ${path}: ${(error as Error).message}`);
  }
  return createHash('sha256').update(bytes).digest('hex');
}
