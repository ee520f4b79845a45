import { randomBytes } from 'node:crypto';
import { InvalidBenchOptionError } from './errors.js';

const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A fresh run id: suite, UTC time, and 4 random hex digits (two runs started in the same second differ). */
export function newRunId(suite: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  // A suite named after a folder (images:./my digits) keeps only the characters a run id may hold.
  const name =
    suite
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 70) || 'suite';
  return `${name}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export function checkRunId(runId: string): string {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new InvalidBenchOptionError(
      `run id must be 1-100 letters, digits, '.', '_' or '-' (starting with a letter or digit), got "${runId}"`,
    );
  }
  return runId;
}
