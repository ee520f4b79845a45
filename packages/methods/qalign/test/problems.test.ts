// The pinned problem list of the benchmark suite: the committed list loads; broken lists are refused
// naming the line and what is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProblemList } from '../src/problems.js';
import { HELDOUT_PATH, heldoutProblems } from './support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'qalign-problems-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LIST = new URL('../lists/arithmetic-200.tsv', import.meta.url).pathname;

describe('the pinned problem list', () => {
  const [first] = heldoutProblems(1);
  const row = `${first!.id}\t${first!.answer}\t${first!.steps}`;

  it('loads the committed list: 200 held-out problems that match heldout.jsonl', () => {
    const problems = loadProblemList(LIST, HELDOUT_PATH);
    expect(problems).toHaveLength(200);
    expect(problems[0]).toMatchObject({ id: first!.id, answer: String(first!.answer), steps: first!.steps });
  });

  it.each([
    ['id\tanswer\n', /expected the header "id<TAB>answer<TAB>steps"/],
    [
      `id\tanswer\tsteps\n${first!.id}\t${first!.answer + 1}\t${first!.steps}\n`,
      new RegExp(`${first!.id} has answer ${first!.answer} in .*, the list says ${first!.answer + 1}`),
    ],
    [
      `id\tanswer\tsteps\n${first!.id}\t${first!.answer}\t${first!.steps + 1}\n`,
      /steps in .*, the list says/,
    ],
    ['id\tanswer\tsteps\narith-9999\t1\t2\n', /id arith-9999 is not in/],
    [`id\tanswer\tsteps\n${row}\n${row}\n`, new RegExp(`:3: id ${first!.id} is listed twice`)],
    [`id\tanswer\tsteps\n${first!.id}\t${first!.answer}\n`, /expected 3 tab-separated fields/],
    ['# only a comment\nid\tanswer\tsteps\n', /lists no problems/],
  ])('rejects a broken list with a clear error (%#)', (text, message) => {
    const path = join(dir, 'list.tsv');
    writeFileSync(path, text);
    expect(() => loadProblemList(path, HELDOUT_PATH)).toThrow(message);
  });

  it('names a missing list file', () => {
    expect(() => loadProblemList(join(dir, 'nope.tsv'), HELDOUT_PATH)).toThrow(
      /cannot read the problem list .*nope\.tsv/,
    );
  });
});
