// The 1000×512 SVD test matrix, rebuilt from the formula scripts/make_fixtures.py uses (planted_low_rank),
// so the fixture stores a recipe and a checksum instead of 2 MB of numbers. Every step is an integer hash or
// a single IEEE operation in the same order as numpy, so both sides produce the same float32 values.

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform(-0.5, 0.5): fmix32((stream · 0x9E3779B9 + index) mod 2³²). */
function hashedUniform(stream: number, count: number): Float64Array {
  const base = Math.imul(stream, 0x9e3779b9) >>> 0;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = (fmix32((base + i) >>> 0) + 0.5) / 2 ** 32 - 0.5;
  return out;
}

export interface PlantedRecipe {
  rows: number;
  cols: number;
  strengths: number[];
  noise: number;
  salt: number;
}

/** float32(Σ_k (strength_k / √(rows·cols)) · a_k b_kᵀ + noise · E), row-major. */
export function plantedLowRank({ rows, cols, strengths, noise, salt }: PlantedRecipe): Float32Array {
  const k = strengths.length;
  const unit = Math.sqrt(12);
  const a = hashedUniform(3 * salt + 1, rows * k).map((x) => x * unit);
  const b = hashedUniform(3 * salt + 2, k * cols).map((x) => x * unit);
  const e = hashedUniform(3 * salt + 3, rows * cols);
  const norm = Math.sqrt(rows * cols);
  const acc = new Float64Array(rows * cols);
  for (let t = 0; t < k; t++) {
    const scale = strengths[t]! / norm;
    for (let i = 0; i < rows; i++) {
      const ai = scale * a[i * k + t]!;
      for (let j = 0; j < cols; j++) {
        const at = i * cols + j;
        acc[at] = acc[at]! + ai * b[t * cols + j]!;
      }
    }
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = acc[i]! + noise * e[i]!;
  return out;
}
