import { pluginInfo } from '@attune/registry';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadRegistry } from '../load-registry.js';

export function registerInfoCommand(program: Command, io: CliIo): void {
  program
    .command('info')
    .description("show a plugin's description, config schema, defaults and needs")
    .argument('<plugin>', 'plugin name (see attune list)')
    .option('--json', 'print everything as JSON, the config as JSON Schema')
    .action(async (name: string, options: { json?: boolean }) => {
      const registry = await loadRegistry(io);
      const info = pluginInfo(registry.get(name));
      if (options.json) {
        io.stdout(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      const properties = (info.schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      const lines = [
        `${info.name} ${info.version} (${info.kind}) from ${info.package || '(registered directly)'}`,
        info.description,
        '',
        `needs:    ${info.needs.length > 0 ? info.needs.join(', ') : '(nothing)'}`,
        `provides: ${info.provides.length > 0 ? info.provides.join(', ') : '(nothing)'}`,
        '',
        'config (defaults):',
        ...Object.entries(properties).map(([key, prop]) => {
          const value = JSON.stringify(info.defaults[key]);
          const detail = [describeType(prop), prop.description].filter(Boolean).join(' — ');
          return `  ${key} = ${value}${detail ? `    ${detail}` : ''}`;
        }),
      ];
      io.stdout(`${lines.join('\n')}\n`);
    });
}

function describeType(prop: Record<string, unknown>): string {
  if (Array.isArray(prop.enum)) return `one of ${prop.enum.map((v) => JSON.stringify(v)).join(' | ')}`;
  const bounds: string[] = [];
  // zod marks integers with the safe-integer range; that is not a bound worth showing.
  const shown = (v: unknown) => v !== undefined && Math.abs(Number(v)) !== Number.MAX_SAFE_INTEGER;
  if (shown(prop.minimum)) bounds.push(`>= ${prop.minimum}`);
  if (prop.exclusiveMinimum !== undefined) bounds.push(`> ${prop.exclusiveMinimum}`);
  if (shown(prop.maximum)) bounds.push(`<= ${prop.maximum}`);
  if (prop.exclusiveMaximum !== undefined) bounds.push(`< ${prop.exclusiveMaximum}`);
  return [typeof prop.type === 'string' ? prop.type : '', ...bounds].filter(Boolean).join(' ');
}
