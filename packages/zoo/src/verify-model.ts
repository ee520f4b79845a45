/**
 * Check a model folder file by file: sha256 and size against card.json (zoo models), every ONNX graph
 * parses, and each graph exposes the input/output names its role requires.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptModelError } from './errors.js';
import { InvalidOnnxError, inspectOnnx } from './onnx-inspect.js';
import { type ResolvedModel, resolveModel } from './resolve-model.js';
import { ZOO_MODELS_DIR } from './zoo-paths.js';

export type FileStatus = 'ok' | 'missing' | 'size-mismatch' | 'sha256-mismatch' | 'invalid-onnx' | 'wrong-io';

export interface FileCheck {
  /** Relative to the model folder. */
  readonly path: string;
  /** The role the file plays (visionModel, tokenizer...), when it has one. */
  readonly role: string | undefined;
  readonly status: FileStatus;
  readonly bytes: number | undefined;
  /** From card.json; undefined for folders without a card (hashes are then only reported). */
  readonly expectedSha256: string | undefined;
  readonly actualSha256: string | undefined;
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  /** What is wrong and what would be right; undefined when status is 'ok'. */
  readonly message: string | undefined;
}

export interface VerifyReport {
  readonly id: string | undefined;
  readonly dir: string;
  readonly ok: boolean;
  readonly files: readonly FileCheck[];
  /** One line per failed check. */
  readonly problems: readonly string[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

export async function verifyResolved(model: ResolvedModel): Promise<VerifyReport> {
  const roleByPath = new Map(Object.values(model.files).map((f) => [f.relativePath, f]));
  const listed = model.card?.files ?? [];
  const paths = [...new Set([...listed.map((f) => f.path), ...roleByPath.keys()])].sort();
  const checks: FileCheck[] = [];
  for (const rel of paths) {
    const expected = listed.find((f) => f.path === rel);
    const resolved = roleByPath.get(rel);
    const abs = join(model.dir, rel);
    const bytes = await sizeOf(abs);
    const base = { path: rel, role: resolved?.role, bytes, expectedSha256: expected?.sha256 };
    if (bytes === undefined) {
      checks.push({
        ...base,
        status: 'missing',
        actualSha256: undefined,
        message: `${rel} is missing (card.json lists it${expected ? `, ${expected.bytes} bytes` : ''}); restore it`,
      });
      continue;
    }
    const actual = await sha256File(abs);
    if (expected && expected.sha256 !== actual) {
      const sizeNote = expected.bytes !== bytes ? `, ${bytes} bytes instead of ${expected.bytes}` : '';
      checks.push({
        ...base,
        status: 'sha256-mismatch',
        actualSha256: actual,
        message:
          `${rel}: sha256 mismatch (card.json: ${expected.sha256.slice(0, 12)}…, file: ${actual.slice(0, 12)}…` +
          `${sizeNote}); the file is corrupt or was changed: restore it or retrain the model`,
      });
      continue;
    }
    if (rel.endsWith('.onnx')) {
      try {
        const summary = await inspectOnnx(abs, rel);
        const inputs = summary.inputs.map((i) => i.name);
        const outputs = summary.outputs.map((o) => o.name);
        const sig = resolved?.signature;
        const missingIn = sig?.inputs.filter((n) => !inputs.includes(n)) ?? [];
        const missingOut = sig?.outputs.filter((n) => !outputs.includes(n)) ?? [];
        if (missingIn.length + missingOut.length > 0) {
          checks.push({
            ...base,
            status: 'wrong-io',
            actualSha256: actual,
            inputs,
            outputs,
            message:
              `${rel} (${resolved?.purpose}) has inputs [${inputs.join(', ')}] and outputs [${outputs.join(', ')}]; ` +
              `expected inputs to include [${sig?.inputs.join(', ')}] and outputs [${sig?.outputs.join(', ')}]`,
          });
          continue;
        }
        checks.push({ ...base, status: 'ok', actualSha256: actual, inputs, outputs, message: undefined });
      } catch (e) {
        if (!(e instanceof InvalidOnnxError)) throw e;
        checks.push({ ...base, status: 'invalid-onnx', actualSha256: actual, message: e.message });
      }
      continue;
    }
    checks.push({ ...base, status: 'ok', actualSha256: actual, message: undefined });
  }
  const problems = checks.flatMap((c) => (c.message ? [c.message] : []));
  return { id: model.id, dir: model.dir, ok: problems.length === 0, files: checks, problems };
}

/** Verify a zoo id or model folder; returns a report (it throws only when the folder cannot be resolved). */
export async function verifyModel(
  idOrPath: string,
  modelsDir: string = ZOO_MODELS_DIR,
): Promise<VerifyReport> {
  return verifyResolved(await resolveModel(idOrPath, modelsDir));
}

/** Resolve and verify; throws CorruptModelError listing every problem. */
export async function loadVerifiedModel(idOrPath: string, modelsDir: string = ZOO_MODELS_DIR) {
  const model = await resolveModel(idOrPath, modelsDir);
  const report = await verifyResolved(model);
  if (!report.ok) throw new CorruptModelError(model.dir, report.problems);
  return model;
}
