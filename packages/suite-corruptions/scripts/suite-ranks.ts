// Records, in a zoo model's card (card.metrics.sts_rank), STS's Gavish–Donoho rank k on every embedded
// suite's class set — the number of directions STS can steer along — for the single template and the
// template ensemble, computed by the STS package's own spectralBasis on the model's class prototypes.
// With k = 1 and no mean-centring the one direction is the one all prototypes share, so STS cannot
// reorder classes; the STS paper works at C = 200–1000, where k is in the tens.
// Usage: pnpm --filter @attune/suite-corruptions suite-ranks [model=zoo:mini-clip-b]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSuite, jointClassNames, loadDataset, loadSuite, SUITE_NAMES } from '@attune/data';
import { spectralBasis } from '@attune/method-sts';
import { loadVisionLanguageModel } from '@attune/models';
import { resolveModel } from '@attune/zoo';

const modelId = process.argv[2] ?? 'zoo:mini-clip-b';
const model = await loadVisionLanguageModel(modelId);
const resolved = await resolveModel(modelId);
const config = resolved.config as { singleTemplate: string; ensembleTemplates?: readonly string[] };
const templateSets = {
  single_template: [config.singleTemplate],
  ...(config.ensembleTemplates ? { ensemble: config.ensembleTemplates } : {}),
};

interface RankEntry {
  suite: string;
  classes: string;
  class_count: number;
  prompt: string;
  k: number;
  singular_values_top5: number[];
}
const ranks: RankEntry[] = [];
for (const suite of SUITE_NAMES) {
  const descriptor = getSuite(suite);
  const classSets: [string, readonly string[]][] =
    descriptor.labelSpace === 'joint'
      ? [['mnist+fashion-mnist', jointClassNames().classNames]]
      : [...new Set(loadSuite(suite).map((e) => e.dataset))].map((d) => [
          d,
          loadDataset(d, 'test').classNames,
        ]);
  for (const [classes, names] of classSets) {
    for (const [prompt, templates] of Object.entries(templateSets)) {
      const prototypes = await model.classPrototypes(names, templates);
      const space = spectralBasis(prototypes);
      space.basis.dispose(); // the prototypes belong to the model's cache
      const entry = {
        suite,
        classes,
        class_count: names.length,
        prompt,
        k: space.rank,
        singular_values_top5: [...space.singularValues.slice(0, 5)].map((s) => Number(s.toFixed(4))),
      };
      ranks.push(entry);
      console.log(`${suite} ${classes} (${names.length} classes) ${prompt}: k = ${entry.k}`);
    }
  }
}
await model.dispose();
const cardPath = join(resolved.dir, 'card.json');
const card = JSON.parse(readFileSync(cardPath, 'utf8'));
card.metrics.sts_rank = {
  source:
    '@attune/suite-corruptions scripts/suite-ranks.ts (spectralBasis of @attune/method-sts, rank gavish-donoho)',
  date: new Date().toISOString().slice(0, 10),
  results: ranks,
};
writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
console.log(`wrote ${ranks.length} ranks to ${cardPath}`);
