// Result shapes several contracts share.

/** Wall time per stage in milliseconds, e.g. { views: 12, encode: 30, adapt: 210, predict: 4 }. */
export type StageTimings = Record<string, number>;

/** One label with its probability (a top-5 row, a label score). */
export interface LabelProbability {
  readonly label: string;
  readonly prob: number;
}

/** Options every method call takes. */
export interface CallOptions {
  /** Seeds every random draw of this call; default: the instance's seed. */
  readonly seed?: number;
}
