// The memory guard: how much a child may use before it starts, and what a child's death means.
//
// Every (method, C) runs in a fresh child so that its peak RSS is its own. Before a child starts, the parent
// checks free memory (MemAvailable) and sets the child's budget; while it runs, the parent reads the child's
// VmRSS and kills it above the budget; when it dies, the cause (over budget, the tfjs-wasm heap cap, the V8
// heap limit, the kernel's OOM killer, a timeout, or an ordinary error) becomes the reason in the table.
import { readFileSync } from 'node:fs';

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** tfjs-backend-wasm is a wasm32 module built with a 4 GiB maximum memory (65536 pages of 64 KiB). */
export const WASM_HEAP_LIMIT_BYTES = 65536 * 65536;

/** MemAvailable and MemTotal from /proc/meminfo text, in bytes. */
export function parseMeminfo(text: string): { availableBytes: number; totalBytes: number } {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    if (!match) throw new Error(`/proc/meminfo has no ${name} line`);
    return Number(match[1]) * 1024;
  };
  return { availableBytes: field('MemAvailable'), totalBytes: field('MemTotal') };
}

export function readMeminfo(): { availableBytes: number; totalBytes: number } {
  return parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
}

/** VmRSS and VmHWM (peak RSS) from /proc/<pid>/status text, in bytes; undefined where absent. */
export function parseProcStatus(text: string): { rssBytes?: number; hwmBytes?: number } {
  const field = (name: string): number | undefined => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rssBytes = field('VmRSS');
  const hwmBytes = field('VmHWM');
  return {
    ...(rssBytes !== undefined ? { rssBytes } : {}),
    ...(hwmBytes !== undefined ? { hwmBytes } : {}),
  };
}

export interface BudgetInput {
  /** MemAvailable now. */
  readonly availableBytes: number;
  /** A cap asked for on the command line (--budget-gib); undefined: as much as is free. */
  readonly requestedBytes?: number;
  /** Left for the parent, the other engineers' processes and the page cache of the model files. */
  readonly reserveBytes: number;
  /** What the child needs at the least (the two towers loaded in onnxruntime, tfjs, Node). */
  readonly minimumBytes: number;
}

export type BudgetDecision =
  | { readonly run: true; readonly budgetBytes: number }
  | { readonly run: false; readonly reason: string };

const gib = (bytes: number): string => (bytes / GiB).toFixed(1);

/** The child's RSS budget: what is free minus the reserve, capped by the request; refuses below the minimum. */
export function decideBudget(input: BudgetInput): BudgetDecision {
  const free = input.availableBytes - input.reserveBytes;
  const budgetBytes = Math.min(free, input.requestedBytes ?? Number.POSITIVE_INFINITY);
  if (budgetBytes < input.minimumBytes) {
    const limit =
      input.requestedBytes !== undefined && input.requestedBytes < free
        ? `the --budget-gib cap of ${gib(input.requestedBytes)} GiB`
        : `${gib(input.availableBytes)} GiB available minus a ${gib(input.reserveBytes)} GiB reserve`;
    return {
      run: false,
      reason: `does not fit: ${limit} leaves ${gib(Math.max(budgetBytes, 0))} GiB, less than the ${gib(input.minimumBytes)} GiB the loaded model alone needs`,
    };
  }
  return { run: true, budgetBytes };
}

export interface ChildOutcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the parent killed the child for going over its budget. */
  readonly overBudget?: { readonly rssBytes: number; readonly budgetBytes: number };
  /** Set when the parent killed the child for running too long. */
  readonly timedOutSeconds?: number;
  /** The error the child caught and reported itself. */
  readonly childError?: {
    readonly message: string;
    readonly wasmHeapBytes?: number;
    readonly tfBackend?: string;
  };
  /** The end of the child's stderr. */
  readonly stderrTail: string;
  readonly lastStage: string;
  readonly peakRssBytes?: number;
}

export interface FailureVerdict {
  readonly status: 'does-not-fit' | 'failed' | 'timeout';
  readonly reason: string;
}

const WASM_ABORT = /Aborted\(|Cannot enlarge memory|Out of memory|memory access out of bounds/i;
const V8_HEAP = /JavaScript heap out of memory|Reached heap limit|Allocation failed - /i;
const NATIVE_ALLOC = /std::bad_alloc|Failed to allocate memory|bad allocation/i;

/** Why a child that did not finish did not: a reason starting "does not fit:" when memory was the cause. */
export function classifyFailure(outcome: ChildOutcome): FailureVerdict {
  const where = `during ${outcome.lastStage}`;
  const peak = outcome.peakRssBytes !== undefined ? `; peak RSS ${gib(outcome.peakRssBytes)} GiB` : '';
  if (outcome.overBudget) {
    const { rssBytes, budgetBytes } = outcome.overBudget;
    return {
      status: 'does-not-fit',
      reason: `does not fit: resident memory reached ${gib(rssBytes)} GiB ${where}, over the ${gib(budgetBytes)} GiB budget (stopped)`,
    };
  }
  if (outcome.timedOutSeconds !== undefined) {
    return {
      status: 'timeout',
      reason: `did not finish within ${outcome.timedOutSeconds} s (stopped ${where})${peak}`,
    };
  }
  const message = outcome.childError?.message ?? '';
  const text = `${message}\n${outcome.stderrTail}`;
  const heap = outcome.childError?.wasmHeapBytes;
  if (WASM_ABORT.test(text) && (outcome.childError?.tfBackend === 'wasm' || /wasm/i.test(text))) {
    const grown = heap !== undefined ? `; it had grown to ${gib(heap)} GiB` : '';
    const node = /node '([^']+)'/.exec(message)?.[1];
    const at = node ? `, at ONNX node ${node}` : '';
    return {
      status: 'does-not-fit',
      reason: `does not fit: the tfjs-wasm heap ran out ${where}${at} (wasm32 caps it at 4 GiB${grown})`,
    };
  }
  if (V8_HEAP.test(text)) {
    return {
      status: 'does-not-fit',
      reason: `does not fit: the V8 heap limit (--max-old-space-size) was reached ${where}${peak}`,
    };
  }
  if (NATIVE_ALLOC.test(text)) {
    return {
      status: 'does-not-fit',
      reason: `does not fit: a native allocation failed ${where} (${firstLine(text, NATIVE_ALLOC)})${peak}`,
    };
  }
  if (outcome.signal === 'SIGKILL') {
    return {
      status: 'does-not-fit',
      reason: `does not fit: killed by SIGKILL ${where}, not by this benchmark (the kernel's OOM killer)${peak}`,
    };
  }
  const cause = message || lastLines(outcome.stderrTail) || 'no error message';
  const exit = outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.exitCode}`;
  return { status: 'failed', reason: `failed ${where} (${exit}): ${cause}` };
}

function firstLine(text: string, pattern: RegExp): string {
  return (
    text
      .split('\n')
      .find((line) => pattern.test(line))
      ?.trim()
      .slice(0, 200) ?? ''
  );
}

/** The last few short lines of stderr (minified source lines Node prints with a crash are dropped). */
export function lastLines(text: string, count = 3): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && line.length <= 400 && !/^\^+$/.test(line))
    .slice(-count)
    .join(' / ');
}
