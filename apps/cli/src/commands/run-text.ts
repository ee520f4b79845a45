// `attune run <method> --prompt "..."`: text methods (plugins that provide 'text-answer', e.g. qalign,
// best-of-n, majority-vote) answer one prompt; the CLI prints the answer, the votes behind it and what it
// cost, with the shared progress bar on stderr while the method works.
import { configJsonSchema, type Plugin, type ProgressEvent, type Registry } from '@attune/registry';
import type { CliIo } from '../io.js';
import { createProgressBar, type ProgressBar } from '../progress.js';

/** The capability text-answer methods provide (@attune/method-qalign's TEXT_ANSWER_CAPABILITY). */
export const TEXT_ANSWER = 'text-answer';

export function isTextMethod(plugin: Plugin): boolean {
  return plugin.provides.includes(TEXT_ANSWER);
}

export interface TextRunFlags {
  readonly prompt: string;
  readonly model?: string;
  readonly reward?: string;
  readonly steps?: number;
  readonly n?: number;
  readonly config: Record<string, unknown>;
  readonly seed: number;
  readonly json?: boolean;
}

interface VoteCount {
  answer: string | null;
  count: number;
  weight: number;
}

/** What the CLI reads of a text method's result (the full contract is @attune/method-qalign's SolveResult). */
interface TextResult {
  strategy: string;
  answer: string | null;
  completion: string;
  reward: number | null;
  votes: VoteCount[];
  outputs: number;
  steps: number | null;
  acceptanceRate: number | null;
  distinctStates: number | null;
  nanRewards: number;
  warnings: string[];
  cost: {
    generatedTokens: number;
    lmFlops: number;
    rewardEvaluations: number;
    rewardFlops: number;
  };
  ms: number;
  /** qalign: the chain's accepted states (the contract's ChainSummary). */
  chain?: {
    states: {
      step: number;
      answer: string | null;
      text: string;
      reward: number | null;
      tokens: number;
      visits: number;
    }[];
    accepted: boolean[];
  };
}

/** States listed in full below this count; longer chains show their first and last CHAIN_EDGE states. */
const CHAIN_FULL = 24;
const CHAIN_EDGE = 10;

/** The chain's accepted states, one line each: where it moved, the answer, its reward, how long it stayed. */
export function chainLines(chain: NonNullable<TextResult['chain']>): string[] {
  const states = chain.states;
  const answers = states.map((s) => s.answer ?? '(none)');
  const aw = Math.max(6, ...answers.map((a) => a.length));
  const sw = String(Math.max(...states.map((s) => s.step))).length;
  const line = (k: number) => {
    const s = states[k]!;
    const reward = s.reward === null ? 'NaN' : s.reward.toFixed(3);
    const text = s.text.length > 72 ? `${s.text.slice(0, 71)}…` : s.text;
    return `  step ${String(s.step).padStart(sw)}  ${answers[k]!.padEnd(aw)}  reward ${reward.padStart(8)}  held ${String(s.visits).padStart(4)}  ${JSON.stringify(text)}`;
  };
  const out = [
    `chain: ${states.length} states (y0 and ${states.length - 1} accepted proposals); step entered, answer, reward, steps held:`,
  ];
  if (states.length <= CHAIN_FULL) for (let k = 0; k < states.length; k++) out.push(line(k));
  else {
    for (let k = 0; k < CHAIN_EDGE; k++) out.push(line(k));
    out.push(`  … ${states.length - 2 * CHAIN_EDGE} more states (--json lists them all)`);
    for (let k = states.length - CHAIN_EDGE; k < states.length; k++) out.push(line(k));
  }
  // Why the answer won: each answer's share of the chain's steps and the mean reward of its states.
  const byAnswer = new Map<string, { visits: number; rewards: number[] }>();
  states.forEach((s, k) => {
    const entry = byAnswer.get(answers[k]!) ?? { visits: 0, rewards: [] };
    entry.visits += s.visits;
    if (s.reward !== null) entry.rewards.push(s.reward);
    byAnswer.set(answers[k]!, entry);
  });
  out.push('by answer (steps held, mean reward of its states):');
  const ranked = [...byAnswer.entries()].sort((a, b) => b[1].visits - a[1].visits).slice(0, 10);
  for (const [answer, e] of ranked) {
    const mean = e.rewards.length
      ? (e.rewards.reduce((a, b) => a + b, 0) / e.rewards.length).toFixed(3)
      : 'NaN';
    out.push(`  ${answer.padEnd(aw)} ${String(e.visits).padStart(5)}  mean reward ${mean}`);
  }
  return out;
}

interface TextMethod {
  solve(
    input: { prompt: string },
    options: {
      seed: number;
      onProgress: (event: ProgressEvent) => void;
      onWarning: (message: string) => void;
    },
  ): Promise<TextResult>;
  dispose(): unknown;
}

/** The config a flag sets, refused when the plugin has no such option (e.g. --steps for best-of-n). */
function flagConfig(plugin: Plugin, flags: TextRunFlags): Record<string, unknown> {
  const properties = (configJsonSchema(plugin).properties ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  const set = (flag: string, key: string, value: unknown) => {
    if (value === undefined) return;
    if (!(key in properties)) {
      throw new Error(
        `${flag} does not apply to ${plugin.name} (it has no "${key}" option; its options: ${Object.keys(properties).join(', ')})`,
      );
    }
    config[key] = value;
  };
  set('--model', 'model', flags.model);
  set('--reward', 'reward', flags.reward);
  set('--steps', 'steps', flags.steps);
  set('--n', 'n', flags.n);
  return config;
}

function formatFlops(x: number): string {
  if (x === 0) return '0';
  const [m, e] = x.toExponential(1).split('e');
  return `${m}e${Number(e)}`;
}

/** Progress events as bars: one bar per stage (e.g. 'sampling' then 'scoring'). */
function progressBars(): { onProgress: (e: ProgressEvent) => void; stop: () => void } {
  let stage = '';
  let bar: ProgressBar | undefined;
  return {
    onProgress: (e) => {
      if (e.stage !== stage || !bar) {
        bar?.stop();
        stage = e.stage;
        bar = createProgressBar({ label: e.stage, total: e.total });
      }
      bar.update(e.done);
    },
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}

export async function runTextMethod(
  registry: Registry,
  plugin: Plugin,
  flags: TextRunFlags,
  io: CliIo,
): Promise<void> {
  if (flags.prompt.trim() === '') throw new Error('--prompt must not be empty');
  const config = { ...flagConfig(plugin, flags), ...flags.config };
  const method = (await registry.create(plugin.name, config, { seed: flags.seed })) as unknown as TextMethod;
  if (typeof method.solve !== 'function') {
    await method.dispose();
    throw new Error(`method "${plugin.name}" does not answer prompts (no solve())`);
  }
  const bars = progressBars();
  let result: TextResult;
  try {
    result = await method.solve(
      { prompt: flags.prompt },
      {
        seed: flags.seed,
        onProgress: bars.onProgress,
        onWarning: (message) => io.stderr(`attune: warning: ${message}\n`),
      },
    );
  } finally {
    bars.stop();
    await method.dispose();
  }
  if (flags.json) {
    io.stdout(`${JSON.stringify({ method: plugin.name, ...result }, null, 2)}\n`);
    return;
  }
  const lines = [`answer: ${result.answer ?? '(none)'}`];
  if (result.acceptanceRate !== null && result.steps !== null) {
    const accepted = Math.round(result.acceptanceRate * result.steps);
    lines.push(
      `acceptance rate: ${(100 * result.acceptanceRate).toFixed(1)}% (${accepted} of ${result.steps} steps accepted, ${result.distinctStates} distinct states)`,
    );
  }
  const what = result.strategy === 'qalign' ? 'chain states' : 'samples';
  lines.push(`votes (${result.outputs} ${what}):`);
  const shown = result.votes.slice(0, 10);
  const width = Math.max(6, ...shown.map((v) => (v.answer ?? '(none)').length));
  for (const v of shown) {
    const share =
      result.strategy === 'weighted-majority-vote'
        ? `${(100 * v.weight).toFixed(1)}% of the reward mass`
        : `${((100 * v.count) / result.outputs).toFixed(1)}%`;
    lines.push(`  ${(v.answer ?? '(none)').padEnd(width)} ${String(v.count).padStart(5)}  ${share}`);
  }
  if (result.votes.length > shown.length)
    lines.push(`  … ${result.votes.length - shown.length} more answers`);
  if (result.chain) lines.push(...chainLines(result.chain));
  lines.push(`completion: ${JSON.stringify(result.completion)}`);
  if (result.reward !== null) lines.push(`reward: ${result.reward.toFixed(4)}`);
  const c = result.cost;
  lines.push(
    `compute: ${c.generatedTokens} LM tokens (${formatFlops(c.lmFlops)} FLOPs), ${c.rewardEvaluations} reward evaluations (${formatFlops(c.rewardFlops)} FLOPs), ${(result.ms / 1000).toFixed(1)} s`,
  );
  if (result.nanRewards > 0)
    lines.push(`NaN rewards: ${result.nanRewards} (those steps were rejected / samples unweighted)`);
  io.stdout(`${lines.join('\n')}\n`);
}
