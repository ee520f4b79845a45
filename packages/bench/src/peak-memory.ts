import { writeFileSync } from 'node:fs';

/**
 * What a recorded peak RSS covers:
 * - 'sample': the process's RSS high-water mark while evaluating this one sample. On Linux >= 4.0 the
 *   kernel's high-water mark (VmHWM, which getrusage's maxrss reads) is reset to the current RSS by
 *   writing "5" to /proc/self/clear_refs before each sample.
 * - 'process': the reset is unavailable (macOS, Windows, restricted /proc): the figure is the
 *   high-water mark since the process started, which never goes down.
 * Both include what the process holds anyway (Node itself, loaded models): it is the memory a machine
 * needs to run this method on this sample, which is what a paper's "peak memory" reports.
 */
export type PeakRssScope = 'sample' | 'process';

/** Resets the RSS high-water mark to the current RSS; returns the scope the next reading will have. */
export function resetPeakRss(): PeakRssScope {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return 'sample';
  } catch {
    return 'process';
  }
}

/** The RSS high-water mark in bytes (since the last reset, or since the process started). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
