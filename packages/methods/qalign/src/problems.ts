// The pinned problem list (lists/arithmetic-200.tsv): ids of zoo:mini-lm's held-out problems with their
// answers and step counts, checked against heldout.jsonl so a changed or mistyped list fails loudly.
import { readFileSync } from 'node:fs';

export interface Problem {
  readonly id: string;
  readonly question: string;
  /** The true answer, as extractAnswer would write it ("17"). */
  readonly answer: string;
  readonly steps: number;
}

export class ProblemListError extends Error {
  override readonly name = 'ProblemListError';
}

interface HeldoutRow {
  id: string;
  question: string;
  answer: number;
  steps: number;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ProblemListError(`cannot read the ${what} ${path}: ${(error as Error).message}`);
  }
}

/** heldout.jsonl as a map id -> row, with the line of any malformed row named. */
export function readHeldout(path: string): Map<string, HeldoutRow> {
  const rows = new Map<string, HeldoutRow>();
  readText(path, 'held-out problems')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let row: HeldoutRow;
      try {
        row = JSON.parse(line) as HeldoutRow;
      } catch (error) {
        throw new ProblemListError(`${path}:${i + 1}: not JSON (${(error as Error).message})`);
      }
      if (typeof row.id !== 'string' || typeof row.question !== 'string' || !Number.isInteger(row.answer)) {
        throw new ProblemListError(`${path}:${i + 1}: expected {"id","question","answer" (integer),...}`);
      }
      rows.set(row.id, row);
    });
  return rows;
}

/**
 * The problems of a pinned list, in list order. The list is TSV with a header `id<TAB>answer<TAB>steps`
 * ('#' lines are comments); every id must exist in heldout.jsonl with the same answer and step count.
 */
export function loadProblemList(listPath: string, heldoutPath: string): Problem[] {
  const heldout = readHeldout(heldoutPath);
  const lines = readText(listPath, 'problem list').split('\n');
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let header = false;
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const where = `${listPath}:${i + 1}`;
    if (line.trim() === '' || line.startsWith('#')) return;
    const fields = line.split('\t');
    if (!header) {
      if (fields.join('\t') !== 'id\tanswer\tsteps') {
        throw new ProblemListError(`${where}: expected the header "id<TAB>answer<TAB>steps", got "${line}"`);
      }
      header = true;
      return;
    }
    if (fields.length !== 3) {
      throw new ProblemListError(
        `${where}: expected 3 tab-separated fields (id, answer, steps), got ${fields.length}`,
      );
    }
    const [id, answer, steps] = fields as [string, string, string];
    if (seen.has(id)) throw new ProblemListError(`${where}: id ${id} is listed twice`);
    seen.add(id);
    const row = heldout.get(id);
    if (!row) throw new ProblemListError(`${where}: id ${id} is not in ${heldoutPath}`);
    if (String(row.answer) !== answer) {
      throw new ProblemListError(
        `${where}: ${id} has answer ${row.answer} in ${heldoutPath}, the list says ${answer}`,
      );
    }
    if (String(row.steps) !== steps) {
      throw new ProblemListError(
        `${where}: ${id} has ${row.steps} steps in ${heldoutPath}, the list says ${steps}`,
      );
    }
    problems.push({ id, question: row.question, answer: String(row.answer), steps: row.steps });
  });
  if (!header) throw new ProblemListError(`${listPath}: no header line "id<TAB>answer<TAB>steps"`);
  if (problems.length === 0) throw new ProblemListError(`${listPath}: lists no problems`);
  return problems;
}
