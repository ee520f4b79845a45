import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/bin.js');
const registryUrl = pathToFileURL(resolve(__dirname, '../node_modules/@attune/registry/dist/index.js')).href;

/** Runs the built CLI as a user would, in a project directory. */
function attune(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ATTUNE_PLUGIN_ROOT: cwd },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function installPackage(root: string, name: string, version: string, pluginSource: string) {
  const dir = join(root, 'node_modules', ...name.split('/'));
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version, type: 'module', attune: { plugins: ['./dist/plugin.js'] } }),
  );
  writeFileSync(join(dir, 'dist', 'plugin.js'), pluginSource);
}

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'attune-cli-'));
  installPackage(
    project,
    '@acme/method-shift',
    '2.0.1',
    `import { definePlugin, z } from '${registryUrl}';
     export default definePlugin({
       name: 'shift', kind: 'method', version: '2.0.1',
       description: 'Shifts predictions by a learned offset.',
       config: z.object({
         steps: z.number().int().min(1).default(1).describe('optimisation steps per sample'),
         lr: z.number().positive().default(0.005),
         mode: z.enum(['episodic', 'continual']).default('episodic'),
       }),
       needs: ['input-grad'], provides: ['test-time-adaptation'],
       create: () => ({ dispose() {} }),
     });`,
  );
  installPackage(
    project,
    'attune-backend-demo',
    '0.3.0',
    `import { definePlugin, z } from '${registryUrl}';
     export default definePlugin({
       name: 'backend-demo', kind: 'backend', version: '0.3.0', description: 'Gradients.',
       config: z.object({}), provides: ['input-grad'], create: () => ({ dispose() {} }),
     });`,
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('attune list', () => {
  it('prints the discovered plugins as JSON: name, kind, package, version and where each came from', () => {
    const { code, stdout, stderr } = attune(project, 'list', '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const from = `node_modules of ${project}`;
    expect(JSON.parse(stdout)).toEqual([
      {
        name: 'backend-demo',
        kind: 'backend',
        package: 'attune-backend-demo',
        version: '0.3.0',
        from,
        dir: realpathSync(join(project, 'node_modules', 'attune-backend-demo')),
      },
      {
        name: 'shift',
        kind: 'method',
        package: '@acme/method-shift',
        version: '2.0.1',
        from,
        dir: realpathSync(join(project, 'node_modules', '@acme', 'method-shift')),
      },
    ]);
  });

  it('prints a table and filters by kind', () => {
    const { code, stdout } = attune(project, 'list', '--kind', 'method');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^name\s+kind\s+version\s+package\s+description\s+from$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^shift\s+method\s+2\.0\.1\s+@acme\/method-shift\s+Shifts predictions/),
    ]);
  });

  it('rejects a malformed or absent kind in one line with exit code 1', () => {
    const malformed = attune(project, 'list', '--kind', 'Widget');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toBe(
      'attune: --kind must be a lowercase dashed word such as "method" or "suite", got "Widget"\n',
    );
    const absent = attune(project, 'list', '--kind', 'methods');
    expect(absent.code).toBe(1);
    expect(absent.stderr).toBe(
      'attune: no installed plugin is of kind "methods". Did you mean "method"? Installed kinds: backend, method\n',
    );
  });

  it('says so when nothing is installed', () => {
    const empty = mkdtempSync(join(tmpdir(), 'attune-empty-'));
    try {
      const { code, stdout } = attune(empty, 'list');
      expect(code).toBe(0);
      expect(stdout).toMatch(/no attune plugins installed here/);
      expect(JSON.parse(attune(empty, 'list', '--json').stdout)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('warns about a broken package but still lists the others', () => {
    const broken = mkdtempSync(join(tmpdir(), 'attune-broken-'));
    try {
      installPackage(
        broken,
        'good',
        '1.0.0',
        `import { definePlugin, z } from '${registryUrl}';
        export default definePlugin({ name: 'good', kind: 'method', version: '1.0.0', description: 'ok',
          config: z.object({}), create: () => ({ dispose() {} }) });`,
      );
      installPackage(
        broken,
        'bad',
        '1.0.0',
        `import { definePlugin, z } from '${registryUrl}';
        export default definePlugin({ name: 'Bad Name', kind: 'method', version: '1.0.0', description: 'x',
          config: z.object({}), create: () => ({ dispose() {} }) });`,
      );
      const { code, stdout, stderr } = attune(broken, 'list', '--json');
      expect(code).toBe(0);
      expect(JSON.parse(stdout).map((p: { name: string }) => p.name)).toEqual(['good']);
      expect(stderr).toMatch(/^attune: warning: skipped a plugin package: malformed plugin "Bad Name"/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});

describe('attune info', () => {
  it('shows description, needs, provides and each default with its type', () => {
    const { code, stdout } = attune(project, 'info', 'shift');
    expect(code).toBe(0);
    expect(stdout).toContain('shift 2.0.1 (method) from @acme/method-shift');
    expect(stdout).toContain('Shifts predictions by a learned offset.');
    expect(stdout).toContain('needs:    input-grad');
    expect(stdout).toContain('provides: test-time-adaptation');
    expect(stdout).toMatch(/steps = 1 +integer >= 1 — optimisation steps per sample/);
    expect(stdout).toMatch(/lr = 0\.005 +number > 0/);
    expect(stdout).toMatch(/mode = "episodic" +one of "episodic" \| "continual"/);
  });

  it('prints JSON Schema and defaults with --json', () => {
    const info = JSON.parse(attune(project, 'info', 'shift', '--json').stdout);
    expect(info.defaults).toEqual({ steps: 1, lr: 0.005, mode: 'episodic' });
    expect(info.schema.properties.steps).toMatchObject({ type: 'integer', minimum: 1, default: 1 });
    expect(info.package).toBe('@acme/method-shift');
  });

  it('fails in one line with the closest match for a typo', () => {
    const { code, stdout, stderr } = attune(project, 'info', 'shfit');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'attune: unknown plugin "shfit". Did you mean "shift"? Known plugins: backend-demo, shift.\n',
    );
  });
});

describe('attune global options', () => {
  it('prints the package version', () => {
    const { code, stdout } = attune(project, '--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prints help listing the commands', () => {
    const { code, stdout } = attune(project, '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: attune/);
    expect(stdout).toMatch(/list \[options\]/);
    expect(stdout).toMatch(/info \[options\] <plugin>/);
  });

  it('exits 2 on an unknown command with a suggestion', () => {
    const { code, stderr } = attune(project, 'lsit');
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'lsit'/);
    expect(stderr).toMatch(/Did you mean list\?/);
  });
});
