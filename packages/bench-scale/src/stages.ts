// The methods name their stages differently in `adaptation.ms`; the table uses one vocabulary.
import type { StageTimes } from './types.js';

/**
 * zeroshot {prototypes, encode, predict}; sts {prototypes, views, encode, adapt, predict};
 * tpt/difftpt {views, encode, tune, predict} → {views, encode, prototypes, adapt, predict}. Unknown keys
 * are ignored; missing stages stay absent.
 */
export function rawStageTimes(ms: Readonly<Record<string, number>>): StageTimes {
  const out: { -readonly [K in keyof StageTimes]: number } = {};
  const take = (from: string, to: keyof StageTimes) => {
    const value = ms[from];
    if (typeof value === 'number' && Number.isFinite(value)) out[to] = (out[to] ?? 0) + value;
  };
  take('views', 'views');
  take('encode', 'encode');
  take('prototypes', 'prototypes');
  take('adapt', 'adapt');
  take('tune', 'adapt');
  take('predict', 'predict');
  return out;
}
