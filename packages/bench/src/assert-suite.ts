import type { Suite } from '@attune/contracts';
import { MalformedSuiteError } from './errors.js';

/** Checks at runtime that a suite plugin's instance has every member a suite needs. */
export function assertSuite(value: unknown, suiteName: string): asserts value is Suite {
  if (value === null || typeof value !== 'object') {
    throw new MalformedSuiteError(suiteName, `create() must return a suite object, got ${typeof value}`);
  }
  const suite = value as Record<string, unknown>;
  if (typeof suite.sampleList !== 'string' || suite.sampleList === '') {
    throw new MalformedSuiteError(suiteName, 'sampleList must be the path of the pinned sample list file');
  }
  for (const member of ['entries', 'sampleKey', 'family', 'evaluate', 'dispose']) {
    if (typeof suite[member] !== 'function') {
      throw new MalformedSuiteError(suiteName, `${member} must be a function, got ${typeof suite[member]}`);
    }
  }
}
