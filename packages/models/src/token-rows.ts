// Token rows of unequal length laid out as one [n, width] batch: ids (pad-filled), attention mask and position
// ids (0.. over each row's real tokens), padded on the left (MoELM, C3PO) or on the right.

export interface PaddedTokenRows {
  readonly ids: BigInt64Array;
  readonly mask: BigInt64Array;
  readonly positions: BigInt64Array;
  readonly width: number;
}

export function padTokenRows(
  rows: readonly (readonly number[])[],
  padTokenId: number,
  padding: 'left' | 'right',
): PaddedTokenRows {
  const n = rows.length;
  const width = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(n * width).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(n * width);
  const positions = new BigInt64Array(n * width);
  rows.forEach((row, r) => {
    const start = r * width + (padding === 'left' ? width - row.length : 0);
    row.forEach((id, i) => {
      ids[start + i] = BigInt(id);
      mask[start + i] = 1n;
      positions[start + i] = BigInt(i);
    });
  });
  return { ids, mask, positions, width };
}
