// `pnpm bench:render [--quick]`: rewrites results/scale.md and scale.json (scale-quick.* with --quick) from
// the cases stored in scale.json, without measuring anything again (after a change to the report's format).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport, formatDocument, reportJson, type ScaleReport } from '../src/document.js';
import { PACKAGE_DIR } from '../src/runner.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const name = args.quick ? 'scale-quick' : 'scale';
const jsonPath = join(PACKAGE_DIR, 'results', `${name}.json`);
const stored = JSON.parse(readFileSync(jsonPath, 'utf8')) as ScaleReport;
// Cases of a role this version no longer has (the 'estimate' of TPT's passes before TPT chunked itself) are
// dropped, with a note, rather than shown as runs of the method.
const known = stored.cases.filter((c) => c.spec.role === 'main' || c.spec.role === 'probe');
for (const c of stored.cases.filter((x) => !known.includes(x))) {
  console.error(`dropped: ${c.spec.method} C=${c.spec.classes}, role '${c.spec.role}' (no longer reported)`);
}
const report = buildReport(stored.meta, known);
const markdown = formatDocument(report);
writeFileSync(join(PACKAGE_DIR, 'results', `${name}.md`), markdown);
writeFileSync(jsonPath, reportJson(report));
console.log(markdown);
