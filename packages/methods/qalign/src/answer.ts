// The final answer of an arithmetic solution: the number after the last "The answer is". Same rule as the
// zoo recipe's extract_answer (packages/zoo/recipes/attune_recipes/arithmetic.py), with two extensions for
// text the recipe never produces: the marker is matched case-insensitively, and a decimal part is kept
// ("12.5"). A sentence-final period is not a decimal point ("The answer is 17." -> "17").

const MARKER = 'the answer is';

/**
 * The answer as a canonical decimal string ("1,234" -> "1234", "007" -> "7", "-0" -> "0", "12.50" -> "12.5"),
 * or undefined when the text has no "The answer is" or the last one is not followed by a number.
 * Canonical strings make equal numbers equal votes.
 */
export function extractAnswer(text: string): string | undefined {
  const at = text.toLowerCase().lastIndexOf(MARKER);
  if (at < 0) return undefined;
  let i = at + MARKER.length;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  let negative = false;
  if (text[i] === '-' || text[i] === '\u2212') {
    negative = true;
    i++;
  }
  let whole = '';
  // Digits, with commas allowed between digits as thousands separators.
  while (i < text.length) {
    const ch = text[i]!;
    if (ch >= '0' && ch <= '9') whole += ch;
    else if (ch === ',' && whole.length > 0 && isDigit(text[i + 1])) {
      // a separator: skip it
    } else break;
    i++;
  }
  if (whole.length === 0) return undefined;
  let fraction = '';
  if (text[i] === '.' && isDigit(text[i + 1])) {
    i++;
    while (i < text.length && isDigit(text[i])) fraction += text[i++];
  }
  return canonicalNumber(negative, whole, fraction);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function canonicalNumber(negative: boolean, whole: string, fraction: string): string {
  const intPart = whole.replace(/^0+(?=\d)/, '');
  const fracPart = fraction.replace(/0+$/, '');
  const body = fracPart.length > 0 ? `${intPart}.${fracPart}` : intPart;
  return negative && body !== '0' ? `-${body}` : body;
}
