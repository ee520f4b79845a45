import type { Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';

export interface ProgressBarOptions {
  readonly label: string;
  readonly total: number;
  /** Where to draw; stderr by default so stdout stays clean for results and --json. */
  readonly stream?: Writable & { isTTY?: boolean };
  /** Clock injection for tests. */
  readonly now?: () => number;
  /** Extra text drawn after the count, recomputed on every redraw (e.g. the current training loss). */
  readonly detail?: () => string;
  /** Minimum ms between redraws when the stream is not a terminal (CI logs). */
  readonly nonTtyIntervalMs?: number;
}

export interface ProgressBar {
  update(done: number): void;
  increment(by?: number): void;
  stop(): void;
  /** Items per second so far. */
  rate(): number;
  /** Seconds left at the current rate (Infinity before the first item). */
  etaSeconds(): number;
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/**
 * The progress bar every long command uses: count, rate and ETA. On a terminal it redraws in place
 * (cli-progress); elsewhere (CI logs, pipes) it prints a plain line at most every few seconds.
 */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const start = now();
  let done = 0;
  const rate = () => {
    const elapsed = (now() - start) / 1000;
    return elapsed > 0 ? done / elapsed : 0;
  };
  const etaSeconds = () => {
    const r = rate();
    return r > 0 ? (options.total - done) / r : Number.POSITIVE_INFINITY;
  };
  const payload = () => ({
    label: options.label,
    detail: options.detail ? ` ${options.detail()}` : '',
    rate: rate().toFixed(2),
    etaText: formatDuration(etaSeconds()),
  });

  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: '{label} {bar} {value}/{total}{detail} | {rate}/s | ETA {etaText}',
      hideCursor: true,
      clearOnComplete: false,
    });
    bar.start(options.total, 0, payload());
    return {
      update(value) {
        done = value;
        bar.update(value, payload());
      },
      increment(by = 1) {
        done += by;
        bar.update(done, payload());
      },
      stop: () => bar.stop(),
      rate,
      etaSeconds,
    };
  }

  const interval = options.nonTtyIntervalMs ?? 5000;
  let lastPrint = Number.NEGATIVE_INFINITY;
  const print = (force: boolean) => {
    const t = now();
    if (!force && t - lastPrint < interval) return;
    lastPrint = t;
    const p = payload();
    stream.write(`${p.label} ${done}/${options.total}${p.detail} | ${p.rate}/s | ETA ${p.etaText}\n`);
  };
  return {
    update(value) {
      done = value;
      print(done >= options.total);
    },
    increment(by = 1) {
      done += by;
      print(done >= options.total);
    },
    stop: () => undefined,
    rate,
    etaSeconds,
  };
}
