/** The committed zoo at a glance: what `attune zoo ls` prints. */
import { cardParameters, headlineMetrics } from './card.js';
import { resolveModel, zooIds } from './resolve-model.js';
import { ZOO_MODELS_DIR } from './zoo-paths.js';

export interface ZooEntry {
  readonly id: string;
  readonly kind: string;
  readonly description: string;
  readonly dir: string;
  /** Sum of the files card.json lists. */
  readonly bytes: number;
  readonly files: readonly { readonly path: string; readonly bytes: number; readonly sha256: string }[];
  readonly parameters: Readonly<Record<string, number>>;
  /** Headline metrics flattened to dotted keys, e.g. "mnist.single_template_top1". */
  readonly metrics: Readonly<Record<string, number>>;
  readonly recipe: string;
  readonly retrain: string;
  readonly date: string;
}

export async function listZoo(modelsDir: string = ZOO_MODELS_DIR): Promise<ZooEntry[]> {
  const entries: ZooEntry[] = [];
  for (const id of await zooIds(modelsDir)) {
    const model = await resolveModel(id, modelsDir);
    const card = model.card!;
    entries.push({
      id,
      kind: model.kind,
      description: card.description,
      dir: model.dir,
      bytes: card.files.reduce((s, f) => s + f.bytes, 0),
      files: card.files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
      parameters: cardParameters(card),
      metrics: headlineMetrics(card),
      recipe: card.recipe,
      retrain: card.retrain,
      date: card.date,
    });
  }
  return entries;
}
