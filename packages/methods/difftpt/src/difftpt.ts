// DiffTPT — diffusion-augmented test-time prompt tuning (Feng et al., ICCV 2023; github.com/chunmeifeng/DiffTPT,
// difftpt_utils.py `select_confident_samples_cosine`, `test_time_tuning_difftpt`), on tensors.
//
// Views, in this order: view 0 (the image), A conventional augmentations (TPT's crop + flip; A = 64), G
// diffusion variations of the image (G = 63): 128 in all.
// Step 1 ('code' filter, the released code):
//   s_i = cos(logits_0, logits_i) for every view i >= 1 (the logit vectors, not image features);
//   keep the int(127 · 0.8) = 101 most similar; put view 0 back in front;
//   of those 102, keep the int(102 · 0.3) = 30 with the lowest entropy.
// Loss = marginal entropy of the kept views; AdamW on TPT's context vectors; steps 2–4 reuse the same views;
// predict from view 0. Tuning, prompt layout and prediction are method-tpt's (tunePrompt and friends).
//
// 'paper' filter (the paper's §4.3, where the two kinds of views are filtered separately):
//   conventional views (view 0 and the A augmentations): keep the int(n · ρ_H) lowest-entropy ones;
//   diffusion views: keep the int(G · ρ_cos) whose image features are most similar (cosine) to view 0's,
//   then the int(n' · ρ_H) lowest-entropy of those; the loss is over both groups' survivors.
import type { ViewSelector } from '@attune/method-tpt';
import { entropy, selectionCount, tf } from '@attune/tensor';

/** Row ranges of the three kinds of views in the stacked view batch. */
export interface ViewLayout {
  /** Conventional augmentations after view 0 (rows 1..augmented). */
  readonly augmented: number;
  /** Diffusion variations (the last `generated` rows). */
  readonly generated: number;
}

export function viewCount(layout: ViewLayout): number {
  return 1 + layout.augmented + layout.generated;
}

/**
 * Cosine similarity of row 0 with each row i >= 1 of `rows` [N,K], as torch.nn.CosineSimilarity(dim=0):
 * x·y / sqrt(max(‖x‖²‖y‖², eps²)), eps = 1e-8. Returns N − 1 values (row 1 first).
 */
export function cosineToFirstRow(rows: tf.Tensor2D, eps = 1e-8): Float32Array {
  if (rows.rank !== 2 || rows.shape[0] < 2) {
    throw new Error(
      `expected rows [N,K] with N >= 2 (view 0 and at least one other), got [${rows.shape.join(',')}]`,
    );
  }
  const result = tf.tidy(() => {
    const n = rows.shape[0];
    const first = tf.slice(rows, [0, 0], [1, -1]);
    const others = tf.slice(rows, [1, 0], [n - 1, -1]);
    const dot = tf.sum(tf.mul(others, first), 1);
    const squaredNorms = tf.mul(tf.sum(tf.square(others), 1), tf.sum(tf.square(first)));
    return tf.div(dot, tf.sqrt(tf.maximum(squaredNorms, tf.scalar(eps * eps))));
  });
  try {
    return result.dataSync() as Float32Array;
  } finally {
    result.dispose();
  }
}

/** Indices of `values` sorted by value (descending or ascending), ties in index order; the first `count`. */
function rankIndices(values: ArrayLike<number>, count: number, descending: boolean): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  const sign = descending ? -1 : 1;
  order.sort((a, b) => sign * (values[a]! - values[b]!) || a - b);
  return order.slice(0, count);
}

function rowEntropies(logits: tf.Tensor2D, rows: readonly number[]): Float32Array {
  const values = tf.tidy(() => entropy(tf.gather(logits, rows)));
  try {
    return values.dataSync() as Float32Array;
  } finally {
    values.dispose();
  }
}

/** The code's filter at step 1, with its two-level indices resolved to rows of the view batch. */
export interface CosineEntropySelection {
  /** Rows kept by the cosine filter, most similar first (before view 0 is put back). */
  readonly cosineKept: number[];
  /** The finally kept rows, lowest entropy first. */
  readonly kept: number[];
  /** Cosine similarity of each row i >= 1 to row 0 (index i − 1). */
  readonly similarity: Float32Array;
}

/**
 * select_confident_samples_cosine(logits, selection_cosine, selection_selfentro) as released: cosine
 * similarity of view 0's logit vector with every other view's, the int((N−1) · cosine) most similar, view 0
 * put back in front, then the int(n · entropy) lowest-entropy of those.
 */
export function selectByLogitCosine(
  logits: tf.Tensor2D,
  cosineFraction: number,
  entropyFraction: number,
): CosineEntropySelection {
  const similarity = cosineToFirstRow(logits);
  const cosineKept = rankIndices(similarity, selectionCount(similarity.length, cosineFraction), true).map(
    (i) => i + 1,
  );
  const candidates = [0, ...cosineKept];
  const entropies = rowEntropies(logits, candidates);
  const kept = rankIndices(entropies, selectionCount(candidates.length, entropyFraction), false).map(
    (j) => candidates[j]!,
  );
  return { cosineKept, kept, similarity };
}

/** The released code's filter as a ViewSelector for tunePrompt. */
export function codeSelector(cosineFraction: number, entropyFraction: number): ViewSelector {
  return (logits) => selectByLogitCosine(logits, cosineFraction, entropyFraction).kept;
}

export interface SeparateFilterSelection {
  /** Kept conventional rows (view 0 and augmentations), lowest entropy first. */
  readonly conventionalKept: number[];
  /** Diffusion rows that passed the image-feature cosine filter, most similar first. */
  readonly generatedCosineKept: number[];
  /** Kept diffusion rows, lowest entropy first. */
  readonly generatedKept: number[];
  /** conventionalKept then generatedKept: the rows the loss uses. */
  readonly kept: number[];
}

/**
 * The paper's filter (§4.3): conventional views (rows 0..A) by entropy only; diffusion views (the last G
 * rows) by the cosine similarity of their image features to view 0's, then by entropy.
 */
export function selectSeparately(
  logits: tf.Tensor2D,
  imageFeatures: tf.Tensor2D,
  layout: ViewLayout,
  cosineFraction: number,
  entropyFraction: number,
): SeparateFilterSelection {
  const total = viewCount(layout);
  for (const [name, t] of [
    ['logits', logits],
    ['image features', imageFeatures],
  ] as const) {
    if (t.rank !== 2 || t.shape[0] !== total) {
      throw new Error(
        `expected ${name} with ${total} rows (1 + ${layout.augmented} augmented + ${layout.generated} generated views), got [${t.shape.join(',')}]`,
      );
    }
  }
  const conventional = Array.from({ length: 1 + layout.augmented }, (_, i) => i);
  const conventionalEntropies = rowEntropies(logits, conventional);
  const conventionalKept = rankIndices(
    conventionalEntropies,
    selectionCount(conventional.length, entropyFraction),
    false,
  ).map((j) => conventional[j]!);

  const firstGenerated = 1 + layout.augmented;
  const rows = [0, ...Array.from({ length: layout.generated }, (_, i) => firstGenerated + i)];
  const similarity = tf.tidy(() => tf.gather(imageFeatures, rows)) as tf.Tensor2D;
  let generatedCosineKept: number[];
  try {
    const s = cosineToFirstRow(similarity);
    generatedCosineKept = rankIndices(s, selectionCount(s.length, cosineFraction), true).map(
      (i) => firstGenerated + i,
    );
  } finally {
    similarity.dispose();
  }
  const generatedEntropies = rowEntropies(logits, generatedCosineKept);
  const generatedKept = rankIndices(
    generatedEntropies,
    selectionCount(generatedCosineKept.length, entropyFraction),
    false,
  ).map((j) => generatedCosineKept[j]!);
  return {
    conventionalKept,
    generatedCosineKept,
    generatedKept,
    kept: [...conventionalKept, ...generatedKept],
  };
}

/** The paper's filter as a ViewSelector (the image features are those of the same view batch). */
export function paperSelector(
  imageFeatures: tf.Tensor2D,
  layout: ViewLayout,
  cosineFraction: number,
  entropyFraction: number,
): ViewSelector {
  return (logits) => selectSeparately(logits, imageFeatures, layout, cosineFraction, entropyFraction).kept;
}
