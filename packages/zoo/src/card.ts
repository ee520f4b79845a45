/** card.json: how a zoo model was made and how well it does (written by its recipe). */

export interface CardFile {
  /** Path relative to the model folder, '/'-separated. */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ModelCard {
  readonly id: string;
  readonly kind: string;
  readonly description: string;
  readonly training_data: Record<string, string>;
  readonly recipe: string;
  readonly retrain: string;
  readonly seed: number;
  readonly metrics: Record<string, unknown>;
  /** Parameter counts by part (vision cards); language cards give architecture.parameters instead. */
  readonly parameters?: Record<string, number>;
  readonly files: readonly CardFile[];
  /** Vision cards; language cards record metrics.training.seconds / metrics.train.seconds. */
  readonly training_seconds?: number;
  readonly date: string;
  readonly torch_version?: string;
  readonly [extra: string]: unknown;
}

const REQUIRED_CARD_FIELDS = ['id', 'description', 'recipe', 'seed', 'metrics', 'files'] as const;

/** Problems with a parsed card.json, as messages; empty when it is well formed. */
export function cardProblems(card: unknown): string[] {
  if (typeof card !== 'object' || card === null || Array.isArray(card)) return ['expected a JSON object'];
  const c = card as Record<string, unknown>;
  const problems = REQUIRED_CARD_FIELDS.filter((f) => !(f in c)).map((f) => `missing field "${f}"`);
  if (Array.isArray(c.files)) {
    c.files.forEach((f: unknown, i) => {
      const e = f as Partial<CardFile> | null;
      if (
        typeof e?.path !== 'string' ||
        typeof e.bytes !== 'number' ||
        !/^[0-9a-f]{64}$/.test(e.sha256 ?? '')
      ) {
        problems.push(`files[${i}] must be { path, bytes, sha256 (64 hex digits) }`);
      }
    });
  } else if ('files' in c) {
    problems.push('"files" must be an array of { path, bytes, sha256 }');
  }
  return problems;
}

/**
 * Parameter counts by part: card.parameters (vision cards, e.g. { image, text, total }), else
 * { total: card.architecture.parameters } (language cards), else {}.
 */
export function cardParameters(card: ModelCard): Record<string, number> {
  if (card.parameters && typeof card.parameters === 'object') return card.parameters;
  const total = (card.architecture as { parameters?: unknown } | undefined)?.parameters;
  return typeof total === 'number' ? { total } : {};
}

/**
 * The few numbers `attune zoo ls` shows: every numeric metric whose key is a headline
 * (top-1 accuracies, speed, an LM's arithmetic accuracy and perplexity, a reward model's AUC), flattened to dotted keys, e.g. "mnist.single_template_top1".
 */
export function headlineMetrics(card: ModelCard): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (obj: unknown, prefix: string) => {
    if (typeof obj !== 'object' || obj === null) return;
    for (const [k, v] of Object.entries(obj)) {
      // Dataset names as the data package spells them (cards written by the Python recipes say fashion_mnist).
      const name = k === 'fashion_mnist' ? 'fashion-mnist' : k;
      const key = prefix ? `${prefix}.${name}` : name;
      if (typeof v === 'number' && HEADLINE_KEY.test(k)) out[key] = v;
      else if (typeof v === 'object' && v !== null && !Array.isArray(v) && !k.startsWith('per_'))
        walk(v, key);
    }
  };
  walk(card.metrics, '');
  return out;
}

const HEADLINE_KEY =
  /^(single_template_top1|ensemble_top1|variation_top1|source_top1|ms_per_variation|greedy_accuracy|sample_accuracy_t1|heldout_perplexity|auc|mean_base_accuracy|mean_oracle_gap_points)$/;
