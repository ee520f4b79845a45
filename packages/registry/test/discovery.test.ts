import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscoveryError, DuplicatePluginError, discoverRegistry, findPluginPackages } from '../src/index.js';

// Plugin packages written to a temp project import the registry's built entry, as an installed package would.
const registryUrl = pathToFileURL(resolve(__dirname, '../dist/index.js')).href;

function pluginModule(names: string[]): string {
  const defs = names.map(
    (name) =>
      `definePlugin({ name: '${name}', kind: 'method', version: '1.0.0', description: '${name} plugin',
        config: z.object({ lr: z.number().default(0.005) }), provides: ['${name}-cap'],
        create: () => ({ dispose() {} }) })`,
  );
  return `import { definePlugin, z } from '${registryUrl}';\nexport default [${defs.join(',\n')}];\n`;
}

function writePackage(
  root: string,
  name: string,
  manifest: Record<string, unknown>,
  files: Record<string, string>,
) {
  const dir = join(root, 'node_modules', ...name.split('/'));
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.2.3', type: 'module', ...manifest }),
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

let project: string;
beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'attune-discovery-'));
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

describe('discovery', () => {
  it('finds installed plugin packages (scoped and not), skipping packages without the field', async () => {
    writePackage(
      project,
      '@attune/method-tpt',
      { attune: { plugins: ['./dist/plugin.js'] } },
      {
        'dist/plugin.js': pluginModule(['tpt']),
      },
    );
    writePackage(
      project,
      'attune-plugin-extra',
      { attune: { plugins: ['./dist/plugin.js'] } },
      {
        'dist/plugin.js': pluginModule(['sts', 'sts-ensemble']),
      },
    );
    writePackage(project, 'left-pad', {}, { 'index.js': 'export default 1;' });

    const { registry, packages, problems } = await discoverRegistry({ from: [project] });
    expect(problems).toEqual([]);
    expect(packages.map((p) => p.name)).toEqual(['@attune/method-tpt', 'attune-plugin-extra']);
    expect(registry.names()).toEqual(['sts', 'sts-ensemble', 'tpt']);
    expect(registry.get('tpt').package).toBe('@attune/method-tpt');
    expect(registry.get('sts').package).toBe('attune-plugin-extra');
    expect(registry.defaults('sts')).toEqual({ lr: 0.005 });
  });

  it('installing a package adds its plugins and removing it removes them', async () => {
    writePackage(
      project,
      '@attune/method-a',
      { attune: { plugins: ['./dist/plugin.js'] } },
      {
        'dist/plugin.js': pluginModule(['alpha']),
      },
    );
    expect((await discoverRegistry({ from: [project] })).registry.names()).toEqual(['alpha']);
    const dirB = writePackage(
      project,
      '@attune/method-b',
      { attune: { plugins: ['./dist/plugin.js'] } },
      {
        'dist/plugin.js': pluginModule(['beta']),
      },
    );
    expect((await discoverRegistry({ from: [project] })).registry.names()).toEqual(['alpha', 'beta']);
    rmSync(dirB, { recursive: true });
    expect((await discoverRegistry({ from: [project] })).registry.names()).toEqual(['alpha']);
  });

  it('searches from a sub-folder of a package: the nearest package root, not every parent', async () => {
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
    writePackage(
      project,
      '@attune/method-a',
      { attune: { plugins: ['./dist/plugin.js'] } },
      { 'dist/plugin.js': pluginModule(['alpha']) },
    );
    const nested = join(project, 'apps', 'deep');
    mkdirSync(nested, { recursive: true });
    const { registry, packages } = await discoverRegistry({ from: [nested] });
    expect(registry.names()).toEqual(['alpha']);
    expect(packages.map((p) => p.origin)).toEqual([`node_modules of ${project}`]);
  });

  it('never loads a package planted in a parent directory, and never runs its code', async () => {
    const marker = join(project, 'planted-code-ran');
    writePackage(
      project,
      'attune-plugin-planted',
      { attune: { plugins: ['./dist/plugin.js'] } },
      {
        'dist/plugin.js': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\n${pluginModule(['planted'])}`,
      },
    );
    const app = join(project, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
    const { registry } = await discoverRegistry({ from: [app] });
    expect(registry.names()).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    // Named explicitly, the same directory is searched.
    expect((await discoverRegistry({ from: [project] })).registry.names()).toEqual(['planted']);
  });

  it('finds workspace member packages and the workspace root from inside a member', async () => {
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'mono', version: '1.0.0' }));
    writeFileSync(join(project, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n\nallowBuilds: {}\n');
    const member = join(project, 'packages', 'method-m');
    mkdirSync(join(member, 'dist'), { recursive: true });
    writeFileSync(
      join(member, 'package.json'),
      JSON.stringify({
        name: '@x/method-m',
        version: '1.0.0',
        type: 'module',
        attune: { plugins: ['./dist/plugin.js'] },
      }),
    );
    writeFileSync(join(member, 'dist', 'plugin.js'), pluginModule(['member']));
    writePackage(
      project,
      '@x/method-root',
      { attune: { plugins: ['./dist/plugin.js'] } },
      { 'dist/plugin.js': pluginModule(['rooted']) },
    );
    const other = join(project, 'packages', 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'other', version: '1.0.0' }));
    const { registry, packages } = await discoverRegistry({ from: [other] });
    expect(registry.names()).toEqual(['member', 'rooted']);
    expect(Object.fromEntries(packages.map((p) => [p.name, p.origin]))).toEqual({
      '@x/method-m': 'workspace package',
      '@x/method-root': `node_modules of ${project}`,
    });
  });

  it('a pnpm-workspace.yaml in a parent that does not list the package adopts nothing', async () => {
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'stray', version: '1.0.0' }));
    writeFileSync(join(project, 'pnpm-workspace.yaml'), 'packages:\n  - libs/*\n');
    writePackage(
      project,
      'attune-plugin-stray',
      { attune: { plugins: ['./dist/plugin.js'] } },
      { 'dist/plugin.js': pluginModule(['stray']) },
    );
    const app = join(project, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
    expect((await discoverRegistry({ from: [app] })).registry.names()).toEqual([]);
  });

  it('names the package and the fix for a malformed attune field', () => {
    writePackage(project, 'bad-field', { attune: { plugins: 'dist/plugin.js' } }, {});
    expect(() => findPluginPackages({ from: [project] })).toThrow(DiscoveryError);
    expect(() => findPluginPackages({ from: [project] })).toThrow(
      /package bad-field .*"attune.plugins" must be a non-empty array of entry files/,
    );
  });

  it('names a missing entry file and a module without plugins', async () => {
    writePackage(project, 'unbuilt', { attune: { plugins: ['./dist/plugin.js'] } }, {});
    await expect(discoverRegistry({ from: [project] })).rejects.toThrow(
      /package unbuilt declares plugin entry .*dist\/plugin\.js, which does not exist \(is the package built\?\)/,
    );
    rmSync(join(project, 'node_modules', 'unbuilt'), { recursive: true });
    writePackage(
      project,
      'empty',
      { attune: { plugins: ['./dist/plugin.js'] } },
      {
        'dist/plugin.js': 'export const answer = 42;',
      },
    );
    await expect(discoverRegistry({ from: [project] })).rejects.toThrow(
      /package empty: .* exports no plugin/,
    );
  });

  it('collects problems instead of throwing when not strict, keeping the good packages', async () => {
    writePackage(
      project,
      'good',
      { attune: { plugins: ['./dist/plugin.js'] } },
      {
        'dist/plugin.js': pluginModule(['good']),
      },
    );
    writePackage(project, 'unbuilt', { attune: { plugins: ['./dist/plugin.js'] } }, {});
    const { registry, problems } = await discoverRegistry({ from: [project], strict: false });
    expect(registry.names()).toEqual(['good']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/package unbuilt/);
  });

  it('refuses two packages that declare the same plugin name', async () => {
    writePackage(
      project,
      'one',
      { attune: { plugins: ['./dist/plugin.js'] } },
      {
        'dist/plugin.js': pluginModule(['same']),
      },
    );
    writePackage(
      project,
      'two',
      { attune: { plugins: ['./dist/plugin.js'] } },
      {
        'dist/plugin.js': pluginModule(['same']),
      },
    );
    await expect(discoverRegistry({ from: [project] })).rejects.toThrow(DuplicatePluginError);
  });
});
