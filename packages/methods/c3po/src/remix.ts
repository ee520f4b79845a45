/**
 * C3PO's pathway arithmetic, model-free: neighbour search with the leakage guard, the Gaussian kernel,
 * kernel regression, mode finding (mean shift in pathway space), the released code's cosine-weighted
 * neighbour average, and the critical-layer / core-expert mask. A pathway is [numLayers × numExperts]
 * row-major (the router softmax per layer at the last prompt token).
 */

export interface Reference {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  readonly options: readonly string[];
  /** [numLayers × numExperts]. */
  readonly pathway: Float32Array;
  readonly embedding: Float32Array;
}

export interface Neighbour {
  readonly reference: Reference;
  readonly index: number;
  /** Cosine similarity of the embeddings. */
  readonly similarity: number;
  /** Euclidean distance of the embeddings (the Gaussian kernel's argument). */
  readonly distance: number;
}

/** Similarity above which a reference is treated as the test question itself and removed. */
export const LEAKAGE_THRESHOLD = 0.95;

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  const d = Math.sqrt(dot(a, a) * dot(b, b));
  return d === 0 ? 0 : dot(a, b) / d;
}

export function euclidean(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** The k most similar references by cosine similarity, after removing those above the leakage threshold. */
export function nearestNeighbours(
  query: Float32Array,
  references: readonly Reference[],
  k: number,
  leakageThreshold = LEAKAGE_THRESHOLD,
): Neighbour[] {
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`k (neighbours) must be a positive integer, got ${k}`);
  if (references.length === 0) {
    throw new RangeError(
      'the reference set is empty: C3PO needs correctly answered references with pathways',
    );
  }
  const scored: Neighbour[] = [];
  references.forEach((reference, index) => {
    if (reference.embedding.length !== query.length) {
      throw new RangeError(
        `reference ${reference.id} has a ${reference.embedding.length}-d embedding, the query ${query.length}-d: the references come from another model`,
      );
    }
    const similarity = cosine(query, reference.embedding);
    if (similarity > leakageThreshold) return;
    scored.push({ reference, index, similarity, distance: euclidean(query, reference.embedding) });
  });
  if (scored.length === 0) {
    throw new RangeError(
      `every reference is within the leakage threshold (cosine > ${leakageThreshold}) of the query`,
    );
  }
  scored.sort((a, b) => b.similarity - a.similarity);
  return scored.slice(0, k);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** exp(−d²/2σ²) per neighbour; σ defaults to the median neighbour distance (1 if that is 0). */
export function gaussianWeights(neighbours: readonly Neighbour[], sigma?: number): number[] {
  const s = sigma ?? (median(neighbours.map((n) => n.distance)) || 1);
  if (!(s > 0) || !Number.isFinite(s))
    throw new RangeError(`kernel width sigma must be a positive number, got ${s}`);
  return neighbours.map((n) => Math.exp(-(n.distance ** 2) / (2 * s * s)));
}

export type KernelName = 'gaussian' | 'uniform' | 'cosine';

export function kernelWeights(
  neighbours: readonly Neighbour[],
  kernel: KernelName,
  sigma?: number,
): number[] {
  if (kernel === 'gaussian') return gaussianWeights(neighbours, sigma);
  if (kernel === 'uniform') return neighbours.map(() => 1);
  return neighbours.map((n) => Math.max(n.similarity, 0));
}

/** Σ w_i ω_i / Σ w_i. */
export function weightedAverage(pathways: readonly Float32Array[], weights: readonly number[]): Float32Array {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError('kernel weights sum to 0; no neighbour carries weight');
  const out = new Float32Array(pathways[0]!.length);
  pathways.forEach((p, i) => {
    for (let j = 0; j < out.length; j++) out[j]! += (weights[i]! * p[j]!) / total;
  });
  return out;
}

/**
 * Mode finding: mean shift over the neighbours' pathways, starting from their kernel-weighted mean, with a
 * Gaussian kernel over pathway distance (bandwidth = median distance of the pathways to the start).
 */
export function meanShift(
  pathways: readonly Float32Array[],
  iterations = 20,
  bandwidth?: number,
): Float32Array {
  let x = weightedAverage(
    pathways,
    pathways.map(() => 1),
  );
  const h = bandwidth ?? (median(pathways.map((p) => euclidean(p, x))) || 1);
  for (let it = 0; it < iterations; it++) {
    const w = pathways.map((p) => Math.exp(-(euclidean(p, x) ** 2) / (2 * h * h)));
    const next = weightedAverage(pathways, w);
    const moved = euclidean(next, x);
    x = next;
    if (moved < 1e-7) break;
  }
  return x;
}

/** The released code's update: Σ cos_i ω_i / Σ cos_i over the (3) neighbours, then renormalised per layer. */
export function cosineWeightedAverage(neighbours: readonly Neighbour[], numExperts: number): Float32Array {
  const out = weightedAverage(
    neighbours.map((n) => n.reference.pathway),
    neighbours.map((n) => n.similarity),
  );
  return renormaliseLayers(out, numExperts);
}

export function renormaliseLayers(pathway: Float32Array, numExperts: number): Float32Array {
  const out = new Float32Array(pathway.length);
  for (let l = 0; l < pathway.length / numExperts; l++) {
    let s = 0;
    for (let e = 0; e < numExperts; e++) s += Math.max(pathway[l * numExperts + e]!, 0);
    for (let e = 0; e < numExperts; e++)
      out[l * numExperts + e] = s > 0 ? Math.max(pathway[l * numExperts + e]!, 0) / s : 1 / numExperts;
  }
  return out;
}

/** The last `count` layers of a model with `numLayers`. */
export function lastLayers(numLayers: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > numLayers) {
    throw new RangeError(`critical layers must be an integer in [1, ${numLayers}], got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => numLayers - count + i);
}

/**
 * The override for the critical layers: on each, only the base router's top `coreExperts` experts take the
 * re-mixed value; the others keep their base value (both read from full pathways). Returns
 * [layers.length × numExperts].
 */
export function coreOverride(
  base: Float32Array,
  remixed: Float32Array,
  layers: readonly number[],
  numExperts: number,
  coreExperts: number,
): Float32Array {
  if (base.length !== remixed.length) {
    throw new RangeError(`pathway sizes differ: base ${base.length}, re-mixed ${remixed.length}`);
  }
  if (!Number.isInteger(coreExperts) || coreExperts < 1 || coreExperts > numExperts) {
    throw new RangeError(`core experts must be an integer in [1, ${numExperts}], got ${coreExperts}`);
  }
  const out = new Float32Array(layers.length * numExperts);
  layers.forEach((l, k) => {
    const row = Array.from(base.subarray(l * numExperts, (l + 1) * numExperts));
    const core = new Set(
      row
        .map((v, e) => [v, e] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, coreExperts)
        .map(([, e]) => e),
    );
    for (let e = 0; e < numExperts; e++) {
      out[k * numExperts + e] = core.has(e) ? remixed[l * numExperts + e]! : row[e]!;
    }
  });
  return out;
}

/** Checks a pathway's shape and values; the error says which reference or vector is wrong. */
export function checkPathway(
  pathway: Float32Array,
  numLayers: number,
  numExperts: number,
  what: string,
): void {
  if (pathway.length !== numLayers * numExperts) {
    throw new RangeError(
      `${what}: pathway has ${pathway.length} values, the model routes ${numLayers} layers × ${numExperts} experts = ${numLayers * numExperts}; the references come from another model`,
    );
  }
  for (let i = 0; i < pathway.length; i++) {
    if (!Number.isFinite(pathway[i]!)) {
      throw new RangeError(
        `${what}: routing weight ${i % numExperts} of layer ${Math.floor(i / numExperts)} is ${pathway[i]}`,
      );
    }
  }
}
