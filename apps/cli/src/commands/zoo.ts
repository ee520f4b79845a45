import type { Command } from 'commander';
import type { CliIo } from '../io.js';

export function registerZooCommand(program: Command, io: CliIo): void {
  const zoo = program
    .command('zoo')
    .description('the model zoo: small models trained by the project, with cards');
  zoo
    .command('ls')
    .description('list the zoo models: id, kind, size, sha256 and headline metrics')
    .option('--json', 'print a JSON array (id, size, sha256 per file, metrics)')
    .action(async (options: { json?: boolean }) => {
      const { formatZooList, listZoo, zooListJson } = await import('@attune/zoo');
      io.stdout(options.json ? await zooListJson() : formatZooList(await listZoo()));
    });
  zoo
    .command('verify')
    .description('check every file of the given models (default: all) against the sha256 in its card')
    .argument('[models...]', 'zoo ids (zoo:mini-clip) or model folders')
    .action(async (models: string[]) => {
      const { formatVerifyReports, zooVerify } = await import('@attune/zoo');
      const reports = await zooVerify(models);
      io.stdout(formatVerifyReports(reports));
      const failed = reports.filter((r) => !r.ok).map((r) => r.id ?? r.dir);
      if (failed.length > 0)
        throw new Error(`verification failed for ${failed.join(', ')} (see the lines above)`);
    });
}
