import { InvalidBenchOptionError, ResumeMismatchError } from './errors.js';
import { type PreparedSuite, sampleKeysHash } from './prepared-suite.js';
import type { MethodSpec, RunInfo } from './records.js';

export interface ResumeRequest {
  readonly prepared: PreparedSuite;
  readonly methods: readonly MethodSpec[];
  readonly seeds: readonly number[];
  readonly limit: number | null;
  /** Accept a larger limit: the list's next samples join the run (its own samples must be the new list's first). */
  readonly extend?: boolean;
}

/** --extend grows an existing run, so it is only meaningful with --resume. */
export function checkExtendHasResume(extend: boolean | undefined, resume: boolean | undefined): void {
  if (extend && !resume) {
    throw new InvalidBenchOptionError('--extend adds samples to an existing run: it needs --resume');
  }
}

const short = (hash: string) => hash.slice(0, 12);
const methodId = (m: MethodSpec) => `${m.name}@${short(m.configHash)}`;

/**
 * A resumed run must be the run it claims to continue: same suite config, same sample list bytes and keys,
 * same limit, same methods (name and config hash) and seeds. Every difference is listed; nothing is written
 * before this check passes, so a mismatch leaves the store exactly as it was. With `extend`, a larger limit is
 * accepted when the run's samples are, key for key, the first samples of the new selection.
 */
export function checkResumable(run: RunInfo, request: ResumeRequest): void {
  const problems: string[] = [];
  const { prepared } = request;
  if (run.suite !== prepared.name)
    problems.push(`it is a run of suite "${run.suite}", not "${prepared.name}"`);
  if (run.suiteConfigHash !== prepared.configHash) {
    problems.push(
      `the suite config differs (run: ${JSON.stringify(run.suiteConfig)}, now: ${JSON.stringify(prepared.config)})`,
    );
  }
  // A larger limit keeps the run's samples when they are the new selection's first run.sampleCount keys; a
  // smaller one selects other keys by design, which the limit message below names.
  const limitChanged = request.limit !== run.sampleLimit;
  const grows = limitChanged && prepared.keys.length > run.sampleCount;
  const keysNow = grows ? sampleKeysHash(prepared.keys.slice(0, run.sampleCount)) : prepared.sampleKeysSha256;
  if (run.sampleListSha256 !== prepared.sampleListSha256) {
    problems.push(
      `the sample list changed: ${run.sampleList} had sha256 ${short(run.sampleListSha256)}…, ` +
        `${prepared.sampleList} now has ${short(prepared.sampleListSha256)}…`,
    );
  } else if ((!limitChanged || grows) && run.sampleKeysSha256 !== keysNow) {
    problems.push('the suite reads different sample keys from the same list file (suite code changed?)');
  }
  if (limitChanged && !(grows && request.extend)) {
    const hint = grows ? " (pass --extend to add the samples past the run's limit to it)" : '';
    problems.push(
      `the limit differs (run: ${run.sampleLimit ?? 'none'}, now: ${request.limit ?? 'none'})${hint}`,
    );
  }
  const before = run.methods.map(methodId).sort();
  const now = request.methods.map(methodId).sort();
  if (before.join(',') !== now.join(',')) {
    problems.push(`the methods differ (run: ${before.join(', ')}; now: ${now.join(', ')})`);
  }
  const seedsBefore = [...run.seeds].sort((a, b) => a - b).join(',');
  const seedsNow = [...request.seeds].sort((a, b) => a - b).join(',');
  if (seedsBefore !== seedsNow) problems.push(`the seeds differ (run: ${seedsBefore}; now: ${seedsNow})`);
  if (problems.length > 0) {
    throw new ResumeMismatchError(
      `cannot resume run "${run.runId}": ${problems.join('; ')}. Nothing was written. ` +
        'Resume with the run as it was, or start a new run (without --resume) for the new setup.',
    );
  }
}
