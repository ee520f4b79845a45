import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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

/**
 * V8's full garbage collector, whether or not node was started with --expose-gc: setting the flag at run
 * time exposes `gc` to contexts created afterwards. Undefined where the runtime refuses.
 */
const fullGc: (() => void) | undefined = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Collects the garbage earlier samples left. Measured: without it, one bench process running zero-shot
 * grows its JS heap ~0.7 MB per sample (56 -> 170 MB over 200 samples) and RSS with it, although nothing is
 * retained: V8 postpones full collections while the heap is far below its limit. The garbage then lands in
 * every later sample's peak RSS. With a collection before each sample the heap stays at 56 MB.
 */
export function collectGarbage(): boolean {
  if (!fullGc) return false;
  fullGc();
  heapAfterLastCollection = process.memoryUsage().heapUsed;
  return true;
}

let heapAfterLastCollection = 0;
/** Garbage carried into a sample is kept below this; a full collection costs 10-40 ms, so not every time. */
const GARBAGE_ALLOWANCE_BYTES = 16 * 2 ** 20;

/**
 * Collects garbage when the JS heap has grown more than 16 MiB since the last collection: the peak RSS of
 * the next sample then carries at most that much of earlier samples' garbage, while fast samples (a few ms)
 * do not pay for a full collection each. Returns whether it collected.
 */
export function collectGarbageIfGrown(): boolean {
  if (process.memoryUsage().heapUsed - heapAfterLastCollection <= GARBAGE_ALLOWANCE_BYTES) return false;
  return collectGarbage();
}
