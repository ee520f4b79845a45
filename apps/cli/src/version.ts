import { readFileSync } from 'node:fs';

/** The CLI package's own version, read from its package.json so it never drifts. */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
