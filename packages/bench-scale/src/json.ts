// JSON written the way the repository's formatter (Biome, line width 110) leaves it, so that the committed
// results/scale.json passes `pnpm lint` untouched: objects expanded one key per line (as JSON.stringify
// with 2 spaces writes them), arrays of plain values (or of such arrays) on one line when that line fits.

export const LINE_WIDTH = 110;

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json | undefined };

const isPlain = (value: unknown): boolean => value === null || typeof value !== 'object';
/** Plain values and arrays of them, at any depth: what may be written on one line. */
const isFlat = (value: unknown): boolean => isPlain(value) || (Array.isArray(value) && value.every(isFlat));
const flatText = (value: Json): string =>
  Array.isArray(value) ? `[${value.map(flatText).join(', ')}]` : JSON.stringify(value);

function write(value: Json, indent: string, lead: number, trailing: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isFlat)) {
      const flat = flatText(value);
      if (lead + flat.length + trailing <= LINE_WIDTH) return flat;
    }
    const items = value.map((v, i) => {
      const comma = i < value.length - 1 ? 1 : 0;
      return `${inner}${write(v, inner, inner.length, comma)}`;
    });
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, Json][];
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, v], i) => {
    const head = `${inner}${JSON.stringify(key)}: `;
    const comma = i < entries.length - 1 ? 1 : 0;
    return `${head}${write(v, inner, head.length, comma)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** `value` as formatted JSON text with a final newline (undefined properties dropped, as JSON.stringify does). */
export function formatJson(value: unknown): string {
  // A round trip first: toJSON, undefined, NaN and the like become what JSON.stringify makes of them.
  const plain = JSON.parse(JSON.stringify(value)) as Json;
  return `${write(plain, '', 0, 0)}\n`;
}
