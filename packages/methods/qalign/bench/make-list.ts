// Writes lists/arithmetic-200.tsv: the first 200 problems of zoo:mini-lm's heldout.jsonl with their answers
// and step counts (the bench checks every row against heldout.jsonl, so a regenerated zoo fails loudly until
// the list is remade with `pnpm --filter @attune/method-qalign exec tsx bench/make-list.ts`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { readHeldout } from '../src/problems.js';

const count = Number(process.argv[2] ?? 200);
const rows = [...readHeldout(join(ZOO_MODELS_DIR, 'mini-lm', 'heldout.jsonl')).values()].slice(0, count);
const lines = [
  `# The QAlign benchmark's pinned problems: the first ${count} of packages/zoo/models/mini-lm/heldout.jsonl`,
  "# (generated with seed 1, disjoint from the LM's training problems). The bench checks that every id exists",
  '# there with this answer and step count. Remake: pnpm --filter @attune/method-qalign exec tsx bench/make-list.ts',
  'id\tanswer\tsteps',
  ...rows.map((r) => `${r.id}\t${r.answer}\t${r.steps}`),
];
const out = fileURLToPath(new URL(`../lists/arithmetic-${count}.tsv`, import.meta.url));
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`wrote ${rows.length} problems to ${out}`);
