import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ModelLoadError } from './errors.js';

/** A model file's path, or the bytes of an ONNX model. */
export type ModelSource = string | Uint8Array;

export interface ResolvedModelSource {
  /** How errors and session info name the model: the absolute path, or `<N bytes, sha256 abc…>`. */
  readonly label: string;
  /**
   * Which model this is, for the cache: the real path, so two spellings of one file share a session
   * (`file:/abs/path`), or a hash of the bytes (`sha256:…`).
   */
  readonly identity: string;
  /** Which version of it: mtime and size for files, so an edited file gets a fresh session. */
  readonly version: string;
  /** What onnxruntime is given. */
  readonly load: string | Uint8Array;
}

/** Checks the source before onnxruntime sees it, so a missing file names the file rather than a C++ frame. */
export async function resolveModelSource(model: unknown): Promise<ResolvedModelSource> {
  if (typeof model === 'string') return resolvePath(model);
  if (model instanceof Uint8Array) return resolveBytes(model);
  const given = model === null ? 'null' : ArrayBuffer.isView(model) ? model.constructor.name : typeof model;
  throw new ModelLoadError(
    String(model),
    `model: expected a path to an .onnx file (string) or the model's bytes (Uint8Array), got ${given}`,
  );
}

async function resolvePath(path: string): Promise<ResolvedModelSource> {
  if (path.trim() === '') throw new ModelLoadError(path, 'model: expected a path to an .onnx file, got ""');
  const absolute = resolve(path);
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    const reason = error.code === 'ENOENT' ? 'not found' : `not readable (${error.code ?? error.message})`;
    throw new ModelLoadError(absolute, `ONNX model file ${reason}: ${absolute}`, { cause: error });
  });
  if (info.isDirectory()) {
    throw new ModelLoadError(
      absolute,
      `expected an ONNX model file, got a directory: ${absolute} (point at the .onnx file inside it, e.g. model.onnx)`,
    );
  }
  if (info.size === 0) throw new ModelLoadError(absolute, `ONNX model file is empty (0 bytes): ${absolute}`);
  const real = await realpath(absolute);
  return {
    label: absolute,
    identity: `file:${real}`,
    version: `mtime=${info.mtimeMs},size=${info.size}`,
    load: real,
  };
}

function resolveBytes(bytes: Uint8Array): ResolvedModelSource {
  if (bytes.byteLength === 0) throw new ModelLoadError('<0 bytes>', 'model bytes are empty (0 bytes)');
  const digest = createHash('sha256').update(bytes).digest('hex');
  return {
    label: `<${bytes.byteLength} bytes, sha256 ${digest.slice(0, 12)}>`,
    identity: `sha256:${digest}`,
    version: '',
    load: bytes,
  };
}

/** Turns onnxruntime's load failure into a message that names the model and says what is wrong. */
export function describeLoadFailure(label: string, error: unknown): ModelLoadError {
  const original = error instanceof Error ? error.message : String(error);
  if (/protobuf parsing failed|failed to load model because protobuf parsing/i.test(original)) {
    return new ModelLoadError(
      label,
      `not a valid ONNX model (it does not parse as an ONNX protobuf): ${label}`,
      {
        cause: error,
      },
    );
  }
  return new ModelLoadError(label, `could not load ONNX model ${label}: ${original}`, { cause: error });
}
