// STS's adaptation time on the tfjs backend the registry gives it (wasm where it loads) against the one
// that happens to be active when no input-grad provider is installed (pure-JS cpu in a fresh process):
// one process per measurement, alternating, median of the runs.
//   pnpm --filter @attune/method-sts exec tsx bench/backend-speed.ts [runs]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 5);
const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const { onnxBackendPlugin } = await import('@attune/backend-onnx/plugin');
  const { tfjsBackendPlugin } = await import('@attune/backend-tfjs/plugin');
  const { clipModelPlugin } = await import('@attune/models');
  const { Registry } = await import('@attune/registry');
  const { sts } = await import('../src/plugin.js');
  const { mnistClassNames, mnistTestImage } = await import('../test/support/fixtures.js');
  const registry = new Registry().register(onnxBackendPlugin).register(clipModelPlugin).register(sts);
  if (process.argv[3] === 'registry') registry.register(tfjsBackendPlugin);
  const method = await registry.create<import('../src/method.js').StsClassifier>('sts', {
    model: 'zoo:mini-clip-b',
  });
  const { image } = mnistTestImage(0);
  await method.classify({ image, classNames: mnistClassNames }); // warm-up
  const ms: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const r = await method.classify({ image: mnistTestImage(i).image, classNames: mnistClassNames });
    ms.push(r.adaptation.ms.adapt + r.adaptation.ms.predict);
  }
  console.log(JSON.stringify({ backend: method.backend, ms }));
  await method.dispose();
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const results: Record<string, number[]> = { registry: [], active: [] };
let labels: Record<string, string> = {};
for (let run = 0; run < runs; run++) {
  for (const mode of ['registry', 'active']) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', mode], {
      encoding: 'utf8',
    });
    const { backend, ms } = JSON.parse(out.trim().split('\n').at(-1)!) as { backend: string; ms: number[] };
    results[mode]!.push(median(ms));
    labels = { ...labels, [mode]: backend.split('+ ')[1]! };
  }
}
const [r, a] = [median(results.registry!), median(results.active!)];
console.log(
  `STS adapt + predict per sample (zoo:mini-clip-b, 10 classes), median of ${runs} processes × 5 samples:`,
);
console.log(
  `  registry backend (${labels.registry}): ${r.toFixed(1)} ms; active backend (${labels.active}): ${a.toFixed(1)} ms; ${(a / r).toFixed(1)}× faster`,
);
