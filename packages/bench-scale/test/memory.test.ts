import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  decideBudget,
  GiB,
  lastLines,
  parseMeminfo,
  parseProcStatus,
  WASM_HEAP_LIMIT_BYTES,
} from '../src/memory.js';

const MEMINFO = `MemTotal:       24684084 kB
MemFree:        18020308 kB
MemAvailable:   21230112 kB
Buffers:          123456 kB
`;

describe('reading /proc', () => {
  it('parses MemAvailable and MemTotal in bytes', () => {
    expect(parseMeminfo(MEMINFO)).toEqual({ availableBytes: 21230112 * 1024, totalBytes: 24684084 * 1024 });
  });

  it('names the missing line', () => {
    expect(() => parseMeminfo('MemTotal: 1 kB\n')).toThrow('/proc/meminfo has no MemAvailable line');
  });

  it('parses VmRSS and VmHWM of a process', () => {
    const status = 'Name:\tnode\nVmPeak:\t 9999 kB\nVmHWM:\t  5381000 kB\nVmRSS:\t  1200000 kB\n';
    expect(parseProcStatus(status)).toEqual({ rssBytes: 1200000 * 1024, hwmBytes: 5381000 * 1024 });
    expect(parseProcStatus('Name:\tzombie\n')).toEqual({});
  });

  it('knows the wasm32 heap cap of tfjs-backend-wasm (4 GiB)', () => {
    expect(WASM_HEAP_LIMIT_BYTES).toBe(4 * GiB);
  });
});

describe('decideBudget', () => {
  const base = { reserveBytes: 2 * GiB, minimumBytes: 1.5 * GiB };

  it('gives a child what is free minus the reserve', () => {
    expect(decideBudget({ ...base, availableBytes: 20 * GiB })).toEqual({ run: true, budgetBytes: 18 * GiB });
  });

  it('caps the budget at the requested size', () => {
    expect(decideBudget({ ...base, availableBytes: 20 * GiB, requestedBytes: 6 * GiB })).toEqual({
      run: true,
      budgetBytes: 6 * GiB,
    });
  });

  it('refuses to start a child when too little is free, saying how much there is', () => {
    const decision = decideBudget({ ...base, availableBytes: 3 * GiB });
    expect(decision.run).toBe(false);
    expect(!decision.run && decision.reason).toBe(
      'does not fit: 3.0 GiB available minus a 2.0 GiB reserve leaves 1.0 GiB, less than the 1.5 GiB the loaded model alone needs',
    );
  });

  it('blames the --budget-gib cap when that is what is too small', () => {
    const decision = decideBudget({ ...base, availableBytes: 20 * GiB, requestedBytes: 1 * GiB });
    expect(!decision.run && decision.reason).toMatch(
      /^does not fit: the --budget-gib cap of 1\.0 GiB leaves 1\.0 GiB/,
    );
  });
});

describe('classifyFailure', () => {
  const base = { exitCode: 1, signal: null, stderrTail: '', lastStage: 'warm-up sample 1 (cat)' } as const;

  it('reports a child stopped over its budget as not fitting', () => {
    const verdict = classifyFailure({
      ...base,
      exitCode: null,
      signal: 'SIGKILL',
      overBudget: { rssBytes: 19.5 * GiB, budgetBytes: 19 * GiB },
    });
    expect(verdict).toEqual({
      status: 'does-not-fit',
      reason:
        'does not fit: resident memory reached 19.5 GiB during warm-up sample 1 (cat), over the 19.0 GiB budget (stopped)',
    });
  });

  it('recognises the tfjs-wasm heap running out and names the ONNX node', () => {
    const verdict = classifyFailure({
      ...base,
      childError: {
        message:
          "LayerNormalization node '/blocks.1/ln_1/LayerNormalization': Aborted(). Build with -sASSERTIONS for more info. (cause: Aborted())",
        wasmHeapBytes: 4 * GiB - 65536,
        tfBackend: 'wasm',
      },
    });
    expect(verdict.status).toBe('does-not-fit');
    expect(verdict.reason).toBe(
      'does not fit: the tfjs-wasm heap ran out during warm-up sample 1 (cat), at ONNX node /blocks.1/ln_1/LayerNormalization (wasm32 caps it at 4 GiB; it had grown to 4.0 GiB)',
    );
  });

  it('recognises the V8 heap limit from stderr', () => {
    const verdict = classifyFailure({
      ...base,
      exitCode: 134,
      stderrTail: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      peakRssBytes: 5 * GiB,
    });
    expect(verdict.status).toBe('does-not-fit');
    expect(verdict.reason).toMatch(/V8 heap limit .* during warm-up sample 1 \(cat\); peak RSS 5\.0 GiB/);
  });

  it("takes a SIGKILL it did not send for the kernel's OOM killer", () => {
    const verdict = classifyFailure({ ...base, exitCode: null, signal: 'SIGKILL' });
    expect(verdict.status).toBe('does-not-fit');
    expect(verdict.reason).toMatch(/killed by SIGKILL .*OOM killer/);
  });

  it('reports a timeout as a timeout, not as a fit problem', () => {
    const verdict = classifyFailure({ ...base, exitCode: null, signal: 'SIGKILL', timedOutSeconds: 3600 });
    expect(verdict).toEqual({
      status: 'timeout',
      reason: 'did not finish within 3600 s (stopped during warm-up sample 1 (cat))',
    });
  });

  it('reports any other error as a failure with its message', () => {
    const verdict = classifyFailure({
      ...base,
      childError: { message: 'expected views [N,3,H,W], got [3,224,224]' },
    });
    expect(verdict).toEqual({
      status: 'failed',
      reason: 'failed during warm-up sample 1 (cat) (exit code 1): expected views [N,3,H,W], got [3,224,224]',
    });
  });

  it('falls back to the last short stderr lines, dropping minified source lines', () => {
    const stderr = `${'x'.repeat(5000)}\n     ^^^^\nError: boom\n    at main (worker.ts:1:1)\n`;
    expect(lastLines(stderr, 2)).toBe('Error: boom / at main (worker.ts:1:1)');
    expect(classifyFailure({ ...base, stderrTail: stderr }).reason).toMatch(/: .*Error: boom/);
  });
});
