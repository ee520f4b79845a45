/** mulberry32: a small seeded generator, so every test input is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uniform(random: () => number, count: number, low: number, high: number): Float32Array {
  return Float32Array.from({ length: count }, () => low + (high - low) * random());
}

/** Standard normal values (Box–Muller). */
export function normal(random: () => number, count: number, scale = 1): Float32Array {
  return Float32Array.from({ length: count }, () => {
    const u = Math.max(random(), 1e-12);
    return scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  });
}

export function randomInts(random: () => number, count: number, low: number, high: number): number[] {
  return Array.from({ length: count }, () => low + Math.floor(random() * (high - low)));
}

/**
 * `count` values in (low, high), one in each of `count` equal cells (placed at a random spot in the cell's
 * middle half, so neighbours are at least half a cell apart), in a seeded random order (Fisher–Yates).
 */
export function shuffledGrid(random: () => number, count: number, low: number, high: number): Float32Array {
  const cell = (high - low) / count;
  const values = Float32Array.from({ length: count }, (_, i) => low + (i + 0.25 + 0.5 * random()) * cell);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}
