import { closestName, PLUGIN_KIND_PATTERN } from '@attune/registry';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadDiscovery } from '../load-registry.js';
import { renderTable } from '../table.js';

export function registerListCommand(program: Command, io: CliIo): void {
  program
    .command('list')
    .description('list the installed plugins')
    .option('--json', 'print a JSON array of { name, kind, package, version, from, dir }')
    .option('--kind <kind>', 'only plugins of one kind (e.g. method, model, backend, suite)')
    .action(async (options: { json?: boolean; kind?: string }) => {
      const { kind } = options;
      if (kind !== undefined && !PLUGIN_KIND_PATTERN.test(kind)) {
        throw new Error(`--kind must be a lowercase dashed word such as "method" or "suite", got "${kind}"`);
      }
      const { registry, packages } = await loadDiscovery(io);
      const plugins = registry.list(kind);
      // Where each plugin's package was found: how discovery reached it, and (in JSON) its directory.
      const byName = new Map(packages.map((p) => [p.name, p]));
      const from = (name: string) => byName.get(name)?.origin ?? 'registered in code';
      // Kinds are open, so an unknown one is not malformed; but listing nothing for a typo would hide it.
      const installedKinds = [...new Set(registry.list().map((p) => p.kind))].sort();
      if (kind !== undefined && installedKinds.length > 0 && !installedKinds.includes(kind)) {
        const near = closestName(kind, installedKinds);
        const hint = near ? ` Did you mean "${near}"?` : '';
        throw new Error(
          `no installed plugin is of kind "${kind}".${hint} Installed kinds: ${installedKinds.join(', ')}`,
        );
      }
      if (options.json) {
        const rows = plugins.map((p) => ({
          name: p.name,
          kind: p.kind,
          package: p.package,
          version: p.version,
          from: from(p.package),
          dir: byName.get(p.package)?.dir ?? null,
        }));
        io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (plugins.length === 0) {
        io.stdout('no attune plugins installed here (install a package such as @attune/method-tpt)\n');
        return;
      }
      io.stdout(
        `${renderTable(
          ['name', 'kind', 'version', 'package', 'description', 'from'],
          plugins.map((p) => [p.name, p.kind, p.version, p.package, p.description, from(p.package)]),
        )}\n`,
      );
    });
}
