/**
 * What the CLI's `attune zoo ls [--json]` and `attune zoo verify [id...]` print; the CLI only wires
 * arguments to these.
 */
import { createHash } from 'node:crypto';
import { listZoo, type ZooEntry } from './list-zoo.js';
import { zooIds } from './resolve-model.js';
import { type VerifyReport, verifyModel } from './verify-model.js';
import { ZOO_MODELS_DIR } from './zoo-paths.js';

/** `attune zoo ls --json`: one object per model (id, size, sha256 per file, headline metrics). */
export async function zooListJson(modelsDir: string = ZOO_MODELS_DIR): Promise<string> {
  const entries = (await listZoo(modelsDir)).map((e) => ({ ...e, sha256: modelDigest(e.files) }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

function percent(v: number): string {
  return v <= 1 ? `${(100 * v).toFixed(1)}%` : v.toFixed(1);
}

/** Accuracies as percentages; times, perplexities and AUCs in their own units. */
function formatMetric(key: string, v: number): string {
  if (key.endsWith('points')) return `${v.toFixed(1)} pts`;
  if (key.startsWith('ms') || key.includes('.ms') || key.endsWith('perplexity')) return v.toFixed(1);
  if (key.endsWith('auc')) return v.toFixed(3);
  return percent(v);
}

/**
 * One sha256 for a model: over its card's (path, sha256) list, so two folders with the same digest hold the
 * same files; `zoo ls --json` lists each file's own hash and `zoo verify` checks them.
 */
export function modelDigest(files: ZooEntry['files']): string {
  const lines = [...files].sort((a, b) => a.path.localeCompare(b.path)).map((f) => `${f.sha256}  ${f.path}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** `attune zoo ls`: a plain-text table. */
export function formatZooList(entries: readonly ZooEntry[]): string {
  const lines = entries.map((e) => {
    const metrics = Object.entries(e.metrics)
      .map(([k, v]) => `${k} ${formatMetric(k, v)}`)
      .join(', ');
    const digest = modelDigest(e.files).slice(0, 12);
    return `${e.id.padEnd(20)} ${e.kind.padEnd(16)} ${megabytes(e.bytes).padStart(9)}  ${digest}  ${metrics}`;
  });
  const header = [
    'id'.padEnd(20),
    'kind'.padEnd(16),
    'size'.padStart(9),
    ' sha256'.padEnd(13),
    ' headline metrics',
  ].join(' ');
  return `${header}\n${lines.join('\n')}\n`;
}

/** `attune zoo verify [ids...]`: verify the given ids or folders, or every zoo model when none are given. */
export async function zooVerify(
  idsOrPaths: readonly string[] = [],
  modelsDir: string = ZOO_MODELS_DIR,
): Promise<VerifyReport[]> {
  const targets = idsOrPaths.length > 0 ? idsOrPaths : await zooIds(modelsDir);
  const reports: VerifyReport[] = [];
  for (const t of targets) reports.push(await verifyModel(t, modelsDir));
  return reports;
}

export function formatVerifyReports(reports: readonly VerifyReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    out.push(`${r.ok ? 'ok  ' : 'FAIL'} ${r.id ?? r.dir}`);
    for (const f of r.files) {
      const hash = f.actualSha256 ? f.actualSha256.slice(0, 12) : '-'.repeat(12);
      out.push(`     ${f.status.padEnd(15)} ${hash}  ${f.path}${f.message ? `\n       ${f.message}` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
