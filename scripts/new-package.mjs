// Scaffolds a workspace package with the house layout.
//
//   node scripts/new-package.mjs method <name> "<description>"
//     a method plugin in packages/methods/<name> shaped like method-sts (algorithm file, sourced config,
//     classifier, plugin, conformance + behaviour tests on the zoo's mini-CLIP, README). It builds and passes
//     its tests as generated; then replace the placeholder algorithm.
//   node scripts/new-package.mjs <dir> <@attune/name> "<description>"
//     a plain library package: src/, test/, README.md, package.json with an exports map and types,
//     tsconfig.json (typecheck: src + test) and tsconfig.build.json (emit: src only).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { methodPackageFiles } from './templates/method-package.mjs';

function fail(message) {
  console.error(message);
  process.exit(2);
}

function writeAll(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

const args = process.argv.slice(2);
if (args[0] === 'method') {
  const [, name, description] = args;
  if (!name || !description) fail('usage: node scripts/new-package.mjs method <name> "<description>"');
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    fail(`method name "${name}" must be lower-case words joined by "-", e.g. "my-method"`);
  }
  const dir = join('packages', 'methods', name);
  if (existsSync(dir)) fail(`${dir} already exists; choose another name`);
  writeAll(dir, methodPackageFiles({ name, description }));
  // The templates are written for legibility; biome gives them the house format (quotes, line widths).
  // A failure here is only cosmetic: say so and go on (the package's own lint script shows the details).
  try {
    // The workspace's biome binary itself: `pnpm exec` would install first, and the new package is not in
    // the lockfile yet (under CI=true that install is frozen and fails).
    execFileSync(join('node_modules', '.bin', 'biome'), ['check', '--write', dir], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch {
    console.error(
      `note: biome could not format every file in ${dir}; run \`pnpm --filter @attune/method-${name} lint\``,
    );
  }
  console.log(`created @attune/method-${name} in ${dir}. Next:
  pnpm install
  pnpm --filter @attune/method-${name}... build
  pnpm --filter @attune/method-${name} test
  pnpm attune info ${name}`);
  process.exit(0);
}

const [dir, name, description] = args;
if (!dir || !name || !description) {
  fail(
    'usage: node scripts/new-package.mjs method <name> "<description>"\n   or: node scripts/new-package.mjs <dir> <@attune/name> "<description>"',
  );
}
if (existsSync(join(dir, 'package.json'))) fail(`${dir}/package.json already exists`);
const base = relative(dir, 'tsconfig.base.json');
const pkg = {
  name,
  version: '0.1.0',
  description,
  type: 'module',
  license: 'Apache-2.0',
  exports: {
    '.': { types: './dist/index.d.ts', import: './dist/index.js' },
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
  dependencies: {},
  devDependencies: { vitest: '4.1.12' },
};
writeAll(dir, {
  'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
  'tsconfig.json': `${JSON.stringify({ extends: base, compilerOptions: { noEmit: true }, include: ['src', 'test'] }, null, 2)}\n`,
  'tsconfig.build.json': `${JSON.stringify(
    {
      extends: base,
      compilerOptions: { outDir: 'dist', rootDir: 'src' },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    },
    null,
    2,
  )}\n`,
  'src/index.ts': 'export {};\n',
  'test/index.test.ts': `import { describe, expect, it } from 'vitest';\n\ndescribe('${name}', () => {\n  it('loads', async () => {\n    expect(await import('../src/index.js')).toBeDefined();\n  });\n});\n`,
  'README.md': `# ${name}\n\n${description}\n`,
});
console.log(`created ${name} in ${dir}`);
