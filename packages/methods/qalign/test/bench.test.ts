// The benchmark harness on a tiny run (3 problems, 1 seed, N up to 4): records, resume after an interrupted
// run (identical to an uninterrupted one), a torn last line, store identity checks, list validation, and
// the summary/plots.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderVegaLiteSvg } from '@attune/bench';
import { afterAll, describe, expect, it } from 'vitest';
import { type BenchOptions, runBench } from '../bench/harness.js';
import { RecordStore, StoreBusyError, StoreMismatchError } from '../bench/store.js';
import { bootstrapMean, errorPlotSpec, renderMarkdown, summarize } from '../bench/summary.js';
import { loadProblemList } from '../src/problems.js';
import { HELDOUT_PATH, heldoutProblems } from './support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'qalign-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LIST = new URL('../lists/arithmetic-200.tsv', import.meta.url).pathname;

const options = (storePath: string, overrides: Partial<BenchOptions> = {}): BenchOptions => ({
  listPath: LIST,
  heldoutPath: HELDOUT_PATH,
  storePath,
  limit: 3,
  seeds: [0],
  maxN: 4,
  model: 'zoo:mini-lm',
  reward: 'zoo:mini-rm',
  beta: 1,
  temperature: 1,
  maxNewTokens: 16,
  chainBlock: 2,
  batchSize: 64,
  threads: 1,
  ...overrides,
});

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').slice(1);

describe('the QAlign benchmark harness', () => {
  const full = join(dir, 'full.jsonl');

  it('stores greedy, samples and chain records for every (problem, seed)', async () => {
    const run = await runBench(options(full));
    expect(run.complete).toBe(true);
    expect(run.written).toBe(3 + 3 + 3);
    const kinds = run.records.map((r) => r.kind).sort();
    expect(kinds).toEqual([
      'chain',
      'chain',
      'chain',
      'greedy',
      'greedy',
      'greedy',
      'samples',
      'samples',
      'samples',
    ]);
    for (const r of run.records) {
      if (r.kind === 'samples') {
        expect(r.answers).toHaveLength(4);
        expect(r.rewards).toHaveLength(4);
        expect(r.tokens.every((t) => t >= 1 && t <= 16)).toBe(true);
      }
      if (r.kind === 'chain') {
        expect(r.answers).toHaveLength(5);
        expect(r.accepted).toHaveLength(4);
        expect(r.tokens).toHaveLength(5);
      }
    }
    // A second call finds everything stored and writes nothing.
    const again = await runBench(options(full));
    expect(again.written).toBe(0);
    expect(again.complete).toBe(true);
  }, 60_000);

  it('resumes an interrupted run to exactly the records of an uninterrupted one, past a torn line', async () => {
    const store = join(dir, 'resumed.jsonl');
    const controller = new AbortController();
    const first = await runBench({
      ...options(store),
      signal: controller.signal,
      // Stop once the first seed's samples are half done.
      onProgress: (e) => {
        if (e.stage === 'samples' && e.done >= 2) controller.abort();
      },
    });
    expect(first.complete).toBe(false);
    expect(first.records.map((r) => r.kind)).toEqual(['greedy', 'greedy', 'greedy', 'samples', 'samples']);
    // A kill in the middle of a write leaves a torn last line; resuming drops it.
    appendFileSync(store, '{"kind":"chain","problem":"arith-00');
    const second = await runBench(options(store));
    expect(second.complete).toBe(true);
    expect(second.written).toBe(4);
    const sorted = (path: string) => lines(path).sort();
    expect(sorted(store)).toEqual(sorted(full));
  }, 60_000);

  it('refuses to resume a store made with other settings, naming the difference', async () => {
    await expect(runBench(options(full, { beta: 2 }))).rejects.toThrow(StoreMismatchError);
    await expect(runBench(options(full, { beta: 2 }))).rejects.toThrow(/beta: stored 1, now 2/);
  });

  it('summarises accuracy and compute per N and renders the plots', async () => {
    const run = await runBench(options(full));
    const summary = summarize(run.records, run.problems, {
      seeds: [0],
      maxN: 4,
      betaWmv: 1,
      parameters: run.parameters,
    });
    expect(summary.ns).toEqual([1, 2, 4]);
    expect(summary.complete).toBe(true);
    const mv1 = summary.points.find((p) => p.method === 'majority-vote' && p.n === 1)!;
    const bon1 = summary.points.find((p) => p.method === 'best-of-n' && p.n === 1)!;
    // With one sample every vote is that sample's answer; best-of-n also pays for its reward evaluation.
    expect(bon1.mean).toBe(mv1.mean);
    expect(bon1.tokens).toBe(mv1.tokens);
    expect(bon1.flops).toBeGreaterThan(mv1.flops);
    expect(mv1.lmFlops).toBeCloseTo(2 * run.parameters.lm * mv1.tokens, 3);
    const q4 = summary.points.find((p) => p.method === 'qalign' && p.n === 4)!;
    expect(q4.records).toBe(3);
    expect(q4.rewardEvaluations).toBe(5);
    expect(q4.acceptanceRate).toBeGreaterThanOrEqual(0);
    const md = renderMarkdown(summary);
    expect(md).toMatch(/\| N \| majority vote \| best-of-n \| weighted MV \| QAlign \|/);
    // Three tables with a row per N: accuracy, headroom, compute.
    expect(md.match(/^\| [124] \|/gm)).toHaveLength(9);
    expect(md).toContain('## Headroom and the reward model');
    // pass@N never falls with N, and is at least every selection rule's accuracy at that N.
    const pass = summary.headroom.map((h) => h.passAtN);
    expect(pass).toEqual([...pass].sort((a, b) => a - b));
    for (const h of summary.headroom) {
      for (const m of ['majority-vote', 'best-of-n', 'weighted-majority-vote'] as const) {
        const p = summary.points.find((q) => q.method === m && q.n === h.n)!;
        expect(h.passAtN).toBeGreaterThanOrEqual(p.mean);
      }
    }
    const answers = run.records.flatMap((r) =>
      r.kind === 'samples'
        ? r.answers.map((a) => a === run.problems.find((p) => p.id === r.problem)!.answer)
        : [],
    );
    expect(summary.rewardRanking!.sampleAccuracy).toBe(answers.filter(Boolean).length / answers.length);
    const svg = await renderVegaLiteSvg(errorPlotSpec(summary));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('FLOPs per problem');
    // 95 % intervals bracket the mean; paired comparisons at the largest N; the cache's one token per step.
    for (const p of summary.points) expect(p.ci95[0] <= p.mean && p.mean <= p.ci95[1]).toBe(true);
    expect(summary.comparisons.map((c) => [c.versus, c.n])).toEqual([
      ['majority-vote', 4],
      ['weighted-majority-vote', 4],
      ['best-of-n', 4],
    ]);
    const mv4 = summary.points.find((p) => p.method === 'majority-vote' && p.n === 4)!;
    expect(summary.comparisons[0]!.difference).toBeCloseTo(q4.mean - mv4.mean, 10);
    expect(summary.stepCost!.prefillTokens).toBe(1);
    expect(md).toContain('## QAlign: cost per step');
  }, 60_000);

  it('runs chains longer than the samples with maxChainN; the baselines stop at maxN', async () => {
    const run = await runBench(options(join(dir, 'long.jsonl'), { maxN: 2, maxChainN: 4 }));
    expect(run.identity.maxChainN).toBe(4);
    const chains = run.records.filter((r) => r.kind === 'chain');
    expect(chains.every((r) => r.accepted.length === 4)).toBe(true);
    expect(run.records.filter((r) => r.kind === 'samples').every((r) => r.answers.length === 2)).toBe(true);
    const summary = summarize(run.records, run.problems, {
      seeds: [0],
      maxN: 4,
      betaWmv: 1,
      parameters: run.parameters,
    });
    expect(Number.isNaN(summary.points.find((p) => p.method === 'majority-vote' && p.n === 4)!.mean)).toBe(
      true,
    );
    expect(Number.isNaN(summary.points.find((p) => p.method === 'qalign' && p.n === 4)!.mean)).toBe(false);
    expect(summary.comparisons.find((c) => c.versus === 'majority-vote')!.n).toBe(2);
  }, 60_000);
});

describe('bootstrapMean', () => {
  it('is a fixed-stream percentile interval that narrows with more problems', () => {
    const small = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const large = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const [lo, hi] = bootstrapMean(small);
    expect(lo).toBeLessThan(0.5);
    expect(hi).toBeGreaterThan(0.5);
    expect(bootstrapMean(small)).toEqual([lo, hi]);
    const [lo2, hi2] = bootstrapMean(large);
    expect(hi2 - lo2).toBeLessThan((hi - lo) / 3);
    // Binomial standard error sqrt(.25/500) = 0.0224: the 95 % interval is about ±1.96 of it.
    expect(hi2 - lo2).toBeGreaterThan(2 * 1.6 * 0.0224);
    expect(hi2 - lo2).toBeLessThan(2 * 2.3 * 0.0224);
  });
});

describe('the benchmark store', () => {
  const identity = { harness: 1, beta: 1 };
  const greedy = (problem: string) => ({ kind: 'greedy' as const, problem, answer: '4', tokens: 9 });

  it('lets one writer at a time hold it, and releases the lock on close', () => {
    const path = join(dir, 'locked.jsonl');
    const writer = RecordStore.open(path, identity);
    expect(readFileSync(`${path}.lock`, 'utf8').trim()).toBe(String(process.pid));
    expect(() => RecordStore.open(path, identity)).toThrow(/being written by this process already/);
    writer.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('refuses a second writer while a live process holds the lock', () => {
    const path = join(dir, 'busy.jsonl');
    // The parent of this test process is alive for the whole test: stand it in as the other writer.
    writeFileSync(`${path}.lock`, `${process.ppid}\n`);
    expect(() => RecordStore.open(path, identity)).toThrow(StoreBusyError);
    expect(() => RecordStore.open(path, identity)).toThrow(
      new RegExp(`being written by another benchmark run \\(pid ${process.ppid}\\).*--report-only`),
    );
    // Readers take no lock.
    expect(RecordStore.open(path, identity, { readOnly: true }).records).toEqual([]);
    rmSync(`${path}.lock`);
  });

  it('takes over the lock of a killed run', () => {
    const path = join(dir, 'stale.jsonl');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(`${path}.lock`, `${dead.stdout.toString()}\n`);
    const store = RecordStore.open(path, identity);
    expect(readFileSync(`${path}.lock`, 'utf8').trim()).toBe(String(process.pid));
    store.append([greedy('a')]);
    store.close();
    expect(lines(path)).toHaveLength(1);
  });

  it('reads read-only without touching the file: a torn tail stays, appends are refused', () => {
    const path = join(dir, 'reader.jsonl');
    const writer = RecordStore.open(path, identity);
    writer.append([greedy('a'), greedy('b')]);
    // A writer in the middle of a write.
    appendFileSync(path, '{"kind":"greedy","probl');
    const before = readFileSync(path, 'utf8');
    const reader = RecordStore.open(path, identity, { readOnly: true });
    expect(reader.records.map((r) => r.problem)).toEqual(['a', 'b']);
    expect(reader.droppedBytes).toBe(Buffer.byteLength('{"kind":"greedy","probl'));
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(() => reader.append([greedy('c')])).toThrow(/open read-only/);
    expect(() => RecordStore.open(path, identity, { readOnly: true, fresh: true })).toThrow(
      /both fresh and read-only/,
    );
    writer.close();
  });
});

describe('the pinned problem list', () => {
  const [first] = heldoutProblems(1);
  const row = `${first!.id}\t${first!.answer}\t${first!.steps}`;

  it('loads the committed list: 200 held-out problems that match heldout.jsonl', () => {
    const problems = loadProblemList(LIST, HELDOUT_PATH);
    expect(problems).toHaveLength(200);
    expect(problems[0]).toMatchObject({ id: first!.id, answer: String(first!.answer), steps: first!.steps });
  });

  it.each([
    ['id\tanswer\n', /expected the header "id<TAB>answer<TAB>steps"/],
    [
      `id\tanswer\tsteps\n${first!.id}\t${first!.answer + 1}\t${first!.steps}\n`,
      new RegExp(`${first!.id} has answer ${first!.answer} in .*, the list says ${first!.answer + 1}`),
    ],
    [
      `id\tanswer\tsteps\n${first!.id}\t${first!.answer}\t${first!.steps + 1}\n`,
      /steps in .*, the list says/,
    ],
    ['id\tanswer\tsteps\narith-9999\t1\t2\n', /id arith-9999 is not in/],
    [`id\tanswer\tsteps\n${row}\n${row}\n`, new RegExp(`:3: id ${first!.id} is listed twice`)],
    [`id\tanswer\tsteps\n${first!.id}\t${first!.answer}\n`, /expected 3 tab-separated fields/],
    ['# only a comment\nid\tanswer\tsteps\n', /lists no problems/],
  ])('rejects a broken list with a clear error (%#)', (text, message) => {
    const path = join(dir, 'list.tsv');
    writeFileSync(path, text);
    expect(() => loadProblemList(path, HELDOUT_PATH)).toThrow(message);
  });

  it('names a missing list file', () => {
    expect(() => loadProblemList(join(dir, 'nope.tsv'), HELDOUT_PATH)).toThrow(
      /cannot read the problem list .*nope\.tsv/,
    );
  });
});
