// Diagnostic (not a test): how often the retrieved neighbours' labels agree with the test label. NGD fits
// the neighbours' labels, so where a k-NN vote over them is near chance, NGD has no signal to move toward.
//   pnpm --filter @attune/method-c3po exec tsx bench/neighbour-labels.ts [--k 3] [--n 100]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMoELM } from '@attune/models';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { loadReferences, loadTasks, nearestNeighbours } from '../src/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const k = Number(arg('k', '3'));
const n = Number(arg('n', '100'));
const families = 'sentiment,spam,topic,pos,parity,syllables,gender'.split(',');
const tasks = (f: string) => join(ZOO_MODELS_DIR, 'mini-moe', 'tasks', f);
const lm = await loadMoELM('zoo:mini-moe', { threads: 1 });
const report: Record<string, unknown> = { k, n };
for (const family of families) {
  const refs = await loadReferences(tasks(`${family}.reference.jsonl`));
  const items = (await loadTasks(tasks(`${family}.eval.jsonl`))).slice(0, n);
  let agree = 0;
  let vote = 0;
  let majority = 0;
  const counts = new Map<string, number>();
  for (const r of refs) counts.set(r.answer, (counts.get(r.answer) ?? 0) + 1);
  const refMajority = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  for (const it of items) {
    const [routed] = await lm.route([lm.promptOf(it.question)]);
    const nb = nearestNeighbours(routed!.embedding, refs, k);
    agree += nb.filter((x) => x.reference.answer === it.answer).length / nb.length;
    const tally = new Map<string, number>();
    for (const x of nb) tally.set(x.reference.answer, (tally.get(x.reference.answer) ?? 0) + 1);
    vote += Number([...tally].sort((a, b) => b[1] - a[1])[0]![0] === it.answer);
    majority += Number(refMajority === it.answer);
  }
  const row = {
    items: items.length,
    options: items[0]!.options.length,
    neighbourLabelAgreement: +(agree / items.length).toFixed(3),
    knnVoteAccuracy: +(vote / items.length).toFixed(3),
    referenceMajorityAccuracy: +(majority / items.length).toFixed(3),
  };
  report[family] = row;
  console.log(family, JSON.stringify(row));
}
await lm.dispose();
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(
  join(import.meta.dirname, 'results', 'neighbour-labels.json'),
  `${JSON.stringify(report, null, 2)}\n`,
);
