// The QAlign benchmark: greedy, best-of-n, majority vote, weighted majority vote and QAlign on pinned
// held-out arithmetic problems, for several seeds, at N = 1, 2, 4, ..., maxN samples / chain steps.
//
// Efficiency: per (problem, seed) the maxN ancestral samples are drawn in one generate() call and scored in
// one reward-model call, and every baseline's whole curve is computed afterwards from that one set (the
// vote functions take a prefix length n). QAlign chains advance `chainBlock` problems at a time: each step is
// one generate() call with a row per problem. Records go to an append-only store the moment a unit is done.
//
// Determinism: every random stream is a function of (seed, problem id) or (seed, block index), and the
// blocks are a fixed partition of the list, so an interrupted and resumed run stores exactly what an
// uninterrupted one would (the harness test checks this).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type CausalLM, loadCausalLM, loadRewardModel, type RewardModel } from '@attune/models';
import { createRng } from '@attune/tensor/numerics';
import { resolveModel } from '@attune/zoo';
import {
  callSeed,
  chainStates,
  continueRows,
  encodePrompt,
  formatPrompt,
  outputBudget,
  runChains,
  sampleCompletions,
  scoreRows,
} from '../src/index.js';
import { loadProblemList, type Problem } from '../src/problems.js';
import { type BenchRecord, type ChainRecord, RecordStore, recordKey, type SamplesRecord } from './store.js';

export const HARNESS_VERSION = 1;

export interface BenchOptions {
  /** The pinned list (TSV) and the held-out problems it points into. */
  readonly listPath: string;
  readonly heldoutPath: string;
  /** The JSONL store. */
  readonly storePath: string;
  /** Delete an existing store first. */
  readonly fresh?: boolean;
  /** Use the first `limit` problems of the list (all by default). */
  readonly limit?: number;
  readonly seeds: readonly number[];
  /** The largest N: samples per problem (and chain steps unless maxChainN says otherwise). */
  readonly maxN: number;
  /** Chain steps, when longer than the samples (samples are the dearer part of a long run). Default maxN. */
  readonly maxChainN?: number;
  readonly model: string;
  readonly reward: string;
  readonly beta: number;
  readonly temperature: number;
  readonly maxNewTokens: number;
  /** Problems whose chains advance together (one generate() row each). */
  readonly chainBlock: number;
  /** Rows per onnxruntime call. */
  readonly batchSize: number;
  readonly threads?: number;
  readonly signal?: AbortSignal;
  /** Only read what is stored (no lock, nothing written, nothing run): for rendering reports. */
  readonly readOnly?: boolean;
  readonly onProgress?: (event: BenchProgress) => void;
}

export interface BenchProgress {
  readonly stage: 'greedy' | 'samples' | 'chains';
  readonly seed: number | null;
  /** Units done / total in this stage (problems for greedy and samples, chain steps for chains). */
  readonly done: number;
  readonly total: number;
}

export interface BenchRun {
  readonly problems: Problem[];
  readonly identity: Record<string, unknown>;
  readonly records: readonly BenchRecord[];
  /** False when stopped by the signal before every record was stored. */
  readonly complete: boolean;
  /** Records written by this call (the rest were already stored). */
  readonly written: number;
  /** Parameter counts of the LM and the reward model (for FLOPs). */
  readonly parameters: { lm: number; reward: number };
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A model's identity for the store: its source and the sha256 of every file it loads. */
async function modelFingerprint(source: string): Promise<Record<string, string>> {
  const resolved = await resolveModel(source);
  const files = Object.values(resolved.files)
    .map((f) => f.relativePath)
    .sort();
  const fingerprint: Record<string, string> = { source };
  for (const file of ['config.json', ...files]) {
    const path = `${resolved.dir.replace(/\/$/, '')}/${file}`;
    fingerprint[file] = sha256(readFileSync(path));
  }
  return fingerprint;
}

export async function benchIdentity(
  options: BenchOptions,
  problems: readonly Problem[],
): Promise<Record<string, unknown>> {
  return {
    harness: HARNESS_VERSION,
    list: sha256(readFileSync(options.listPath)),
    problems: { count: problems.length, ids: sha256(problems.map((p) => p.id).join('\n')) },
    seeds: [...options.seeds],
    maxN: options.maxN,
    // Only in the identity when it differs, so stores made before the option still open.
    ...(options.maxChainN !== undefined && options.maxChainN !== options.maxN
      ? { maxChainN: options.maxChainN }
      : {}),
    model: await modelFingerprint(options.model),
    reward: await modelFingerprint(options.reward),
    beta: options.beta,
    temperature: options.temperature,
    maxNewTokens: options.maxNewTokens,
    chainBlock: options.chainBlock,
  };
}

function checkOptions(options: BenchOptions): void {
  const positiveInt = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what} must be an integer >= 1, got ${v}`);
  };
  positiveInt(options.maxN, 'maxN');
  if (options.maxChainN !== undefined) positiveInt(options.maxChainN, 'maxChainN');
  positiveInt(options.maxNewTokens, 'maxNewTokens');
  positiveInt(options.chainBlock, 'chainBlock');
  positiveInt(options.batchSize, 'batchSize');
  if (options.limit !== undefined) positiveInt(options.limit, 'limit');
  if (options.seeds.length === 0) throw new RangeError('seeds must list at least one seed');
  for (const s of options.seeds) {
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`seeds must be integers >= 0, got ${s}`);
  }
  if (new Set(options.seeds).size !== options.seeds.length) throw new RangeError('seeds must not repeat');
  if (!(options.beta > 0)) throw new RangeError(`beta must be > 0, got ${options.beta}`);
  if (!(options.temperature > 0)) throw new RangeError(`temperature must be > 0, got ${options.temperature}`);
}

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** Runs (or resumes) the benchmark; every finished unit is in the store before the next starts. */
export async function runBench(options: BenchOptions): Promise<BenchRun> {
  checkOptions(options);
  const all = loadProblemList(options.listPath, options.heldoutPath);
  if (options.limit !== undefined && options.limit > all.length) {
    throw new RangeError(
      `limit ${options.limit} is more than the ${all.length} problems of ${options.listPath}`,
    );
  }
  const problems = all.slice(0, options.limit ?? all.length);
  const identity = await benchIdentity(options, problems);
  const store = RecordStore.open(options.storePath, identity, {
    fresh: options.fresh ?? false,
    readOnly: options.readOnly ?? false,
  });
  const threads = options.threads !== undefined && options.threads > 0 ? { threads: options.threads } : {};
  let lm: CausalLM | undefined;
  let rm: RewardModel | undefined;
  let written = 0;
  let parameters = { lm: 0, reward: 0 };
  const stopped = () => options.signal?.aborted === true;
  const save = (records: BenchRecord[]) => {
    written += store.append(records);
  };
  try {
    [lm, rm] = await Promise.all([
      loadCausalLM(options.model, threads),
      loadRewardModel(options.reward, threads),
    ]);
    parameters = { lm: lm.config.numParameters, reward: rm.config.numParameters };
    const prompts = new Map(
      problems.map((p) => [p.id, encodePrompt(lm!, formatPrompt(p.question, '', lm!))]),
    );

    // Greedy: seed-independent, batched over problems.
    const greedyTodo = problems.filter((p) => !store.has(recordKey({ kind: 'greedy', problem: p.id })));
    for (let start = 0; start < greedyTodo.length && !stopped(); start += options.batchSize) {
      const chunk = greedyTodo.slice(start, start + options.batchSize);
      const outputs = await continueRows(
        lm,
        chunk.map((p) => prompts.get(p.id)!.ids),
        chunk.map((p) => outputBudget(lm!, prompts.get(p.id)!, options.maxNewTokens, rm)),
        { temperature: 0, seed: 0, batchSize: options.batchSize },
      );
      save(
        chunk.map((p, k) => ({
          kind: 'greedy' as const,
          problem: p.id,
          answer: outputs[k]!.answer ?? null,
          tokens: outputs[k]!.tokens.length,
        })),
      );
      options.onProgress?.({
        stage: 'greedy',
        seed: null,
        done: start + chunk.length,
        total: greedyTodo.length,
      });
    }

    for (const seed of options.seeds) {
      // Ancestral samples: one generate() call and one reward-model call per problem.
      const sampleTodo = problems.filter(
        (p) => !store.has(recordKey({ kind: 'samples', problem: p.id, seed })),
      );
      for (const [k, p] of sampleTodo.entries()) {
        if (stopped()) break;
        const prompt = prompts.get(p.id)!;
        const samples = await sampleCompletions(lm, prompt, options.maxN, {
          temperature: options.temperature,
          budget: outputBudget(lm, prompt, options.maxNewTokens, rm),
          batchSize: Math.max(options.batchSize, Math.min(options.maxN, 256)),
          seed: callSeed(createRng(seed).fork('samples').fork(p.id)),
        });
        const scored = await scoreRows(
          lm,
          rm,
          samples.map((s) => ({ prompt: prompt.text, completion: s.text })),
          { clip: 40, batchSize: options.batchSize },
        );
        const record: SamplesRecord = {
          kind: 'samples',
          problem: p.id,
          seed,
          answers: samples.map((s) => s.answer ?? null),
          rewards: scored.rewards.map(nullIfNaN),
          tokens: samples.map((s) => s.tokens.length),
          rewardTokens: scored.tokens,
        };
        save([record]);
        options.onProgress?.({ stage: 'samples', seed, done: k + 1, total: sampleTodo.length });
      }

      // QAlign chains: fixed blocks of the list, one generate() row per problem per step.
      const blocks: Problem[][] = [];
      for (let start = 0; start < problems.length; start += options.chainBlock) {
        blocks.push(problems.slice(start, start + options.chainBlock));
      }
      const chainTodo = blocks
        .map((block, b) => ({ block, b }))
        .filter(({ block }) =>
          block.some((p) => !store.has(recordKey({ kind: 'chain', problem: p.id, seed }))),
        );
      const chainSteps = options.maxChainN ?? options.maxN;
      const totalSteps = chainTodo.length * chainSteps;
      for (const [j, { block, b }] of chainTodo.entries()) {
        if (stopped()) break;
        const root = createRng(seed);
        const traces = await runChains(
          lm,
          rm,
          block.map((p) => ({ prompt: prompts.get(p.id)!, rng: root.fork('chain').fork(p.id) })),
          {
            steps: chainSteps,
            beta: options.beta,
            temperature: options.temperature,
            maxNewTokens: options.maxNewTokens,
            rewardClip: 40,
            logRatioClip: 20,
            batchSize: Math.max(options.batchSize, block.length),
            lmRng: root.fork('chains').fork(b),
            onStep: (done) =>
              options.onProgress?.({
                stage: 'chains',
                seed,
                done: j * chainSteps + done,
                total: totalSteps,
              }),
          },
        );
        save(
          block.map(
            (p, k): ChainRecord => ({
              kind: 'chain',
              problem: p.id,
              seed,
              answers: chainStates(traces[k]!).map((s) => s.answer ?? null),
              accepted: traces[k]!.accepted.map((a) => (a ? 1 : 0)),
              tokens: traces[k]!.generatedTokens,
              rewardTokens: traces[k]!.rewardTokens,
              prefillTokens: traces[k]!.prefillTokens,
              nanRewards: traces[k]!.nanRewards,
            }),
          ),
        );
      }
    }
  } finally {
    store.close();
    await Promise.all([lm?.dispose(), rm?.dispose()]);
  }
  const expected = problems.length * (1 + 2 * options.seeds.length);
  return {
    problems,
    identity,
    records: store.records,
    complete: store.records.length === expected,
    written,
    parameters,
  };
}
