import { readFileSync } from 'node:fs';

/** This package's version, stored with every run so results can be traced to the harness that made them. */
export function harnessVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
