// The UI's only way to the server: the same documented JSON API scripts use.

export type Contract = 'image-classifier' | 'text-answer' | 'expert-remix' | 'prompt-tuning' | 'none';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
}

export interface PluginInfo {
  name: string;
  kind: string;
  version: string;
  package: string;
  description: string;
  needs: string[];
  provides: string[];
  defaults: Record<string, unknown>;
  schema: JsonSchema;
  contract: Contract;
  unmetNeeds: string[];
}

export interface ConfigProblem {
  path: string;
  expected: string;
  got: string;
}

export interface Sample {
  id: string;
  dataset: string;
  index: number;
  label: string;
  classNames: string[];
}

export interface Top {
  label: string;
  prob: number;
}

export interface ImageResult {
  contract: 'image-classifier';
  plugin: string;
  backend: string;
  seed: number;
  label: string | null;
  classNames: string[];
  after: { prediction: string; top5: Top[] };
  before: { plugin: string; prediction: string; top5: Top[] } | null;
  entropyBefore: number | null;
  entropyAfter: number | null;
  adaptation: Record<string, unknown> & { ms?: Record<string, number> };
  views: { files: string[]; kept: number[] | null; size: number } | null;
}

export interface TextResult {
  contract: 'text-answer';
  plugin: string;
  strategy: string;
  answer: string | null;
  completion: string;
  reward: number | null;
  votes: { answer: string | null; count: number; weight: number }[];
  outputs: number;
  steps: number | null;
  acceptanceRate: number | null;
  distinctStates: number | null;
  nanRewards: number;
  warnings: string[];
  cost: Record<string, number>;
  ms: number;
  /** qalign: the chain (the contract's ChainSummary). */
  chain?: ChainView;
}

export interface ChainView {
  states: {
    step: number;
    answer: string | null;
    text: string;
    reward: number | null;
    tokens: number;
    visits: number;
  }[];
  path: number[];
  accepted: boolean[];
  proposalRewards: (number | null)[];
}

/** The expert-remix contract's RemixResult (C3PO), as the server sends it. */
export interface LayerRouting {
  layer: number;
  weights: number[];
  selected: number[];
}

export interface RemixResult {
  contract: 'expert-remix';
  plugin: string;
  backend: string;
  prompt: string;
  variant: string;
  answer: string | null;
  completion: string;
  base: { answer: string | null; completion: string };
  routing: { base: LayerRouting[]; remixed: LayerRouting[] };
  neighbours: { key: string; similarity: number; weight: number; question?: string; answer?: string }[];
  alpha?: number;
  probabilities?: { base: Top[]; remixed: Top[] };
  ms: Record<string, number>;
}

/** A prompt-tuning run: a prediction with an adapter, or a training report. */
export interface TunerPredictResult {
  contract: 'prompt-tuning';
  action: 'predict';
  plugin: string;
  variant: string;
  adapter: string;
  text: string;
  prediction: string;
  labelScores?: Record<string, number>;
  ms: number;
}

export interface TunerTrainResult {
  contract: 'prompt-tuning';
  action: 'train';
  plugin: string;
  variant: string;
  backend: string;
  task: string;
  labels: string[];
  majorityAccuracy: number | null;
  adapter: string | null;
  steps: number;
  losses: number[];
  validationAccuracy?: number;
  trainableParameters: number;
  msPerStep?: number;
  ms: Record<string, number>;
}

export type TunerResult = TunerPredictResult | TunerTrainResult;
export type RunResult = ImageResult | TextResult | RemixResult | TunerResult;

export interface TaskInfo {
  name: string;
  labels: string[];
  train: number;
  validation: number;
  majorityAccuracy: number | null;
  source: string | null;
  example: string | null;
}

export interface AdapterInfo {
  path: string;
  task: string | null;
  labels: string[];
  variant: string | null;
  model: string | null;
  steps: number | null;
}

export type JobEvent =
  | { type: 'queued'; position: number }
  | { type: 'started' }
  | { type: 'progress'; stage: string; done: number; total: number; metrics?: Record<string, number> }
  | { type: 'result'; result: RunResult }
  | { type: 'error'; message: string }
  | { type: 'cancelled' };

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly problems: ConfigProblem[] = [],
  ) {
    super(message);
  }
}

async function json<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as { error?: string; problems?: ConfigProblem[] };
  if (!response.ok)
    throw new ApiError(
      body.error ?? `${response.status} ${response.statusText}`,
      response.status,
      body.problems,
    );
  return body as T;
}

export const api = {
  plugins: () => fetch('/api/plugins').then((r) => json<{ plugins: PluginInfo[] }>(r)),
  samples: () =>
    fetch('/api/samples').then((r) => json<{ samples: Sample[]; classSets: Record<string, string[]> }>(r)),
  checkConfig: (plugin: string, config: Record<string, unknown>) =>
    fetch(`/api/plugins/${encodeURIComponent(plugin)}/check-config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(config),
    }).then((r) => json<{ ok: boolean; problems: ConfigProblem[] }>(r)),
  run: (plugin: string, form: FormData) =>
    fetch(`/api/run/${encodeURIComponent(plugin)}`, { method: 'POST', body: form }).then((r) =>
      json<{ job: string }>(r),
    ),
  tasks: () => fetch('/api/tasks').then((r) => json<{ tasks: TaskInfo[] }>(r)),
  adapters: () =>
    fetch('/api/adapters').then((r) =>
      json<{ roots: number; writable: boolean; adapters: AdapterInfo[] }>(r),
    ),
  cancel: (job: string) => fetch(`/api/jobs/${job}/cancel`, { method: 'POST' }).then((r) => json<unknown>(r)),
  runs: (query: URLSearchParams) => fetch(`/api/runs?${query}`).then((r) => json<RunsResponse>(r)),
  run_: (id: string, query: URLSearchParams) =>
    fetch(`/api/runs/${encodeURIComponent(id)}?${query}`).then((r) => json<RunDetail>(r)),
};

/** Follows a job's server-sent events until it ends; returns a function that stops listening. */
export function followJob(job: string, onEvent: (event: JobEvent) => void): () => void {
  const source = new EventSource(`/api/jobs/${job}/events`);
  const types: JobEvent['type'][] = ['queued', 'started', 'progress', 'result', 'error', 'cancelled'];
  for (const type of types) {
    source.addEventListener(type, (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as JobEvent;
      if (type === 'result' || type === 'error' || type === 'cancelled') source.close();
      onEvent(event);
    });
  }
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) return;
    source.close();
    onEvent({ type: 'error', message: 'lost the connection to the server' });
  };
  return () => source.close();
}

export interface RunListing {
  runId: string;
  suite: string;
  createdAt: string;
  sampleCount: number;
  methods: string[];
  seeds: number[];
  recorded: number;
  expected: number;
}

export interface RunsResponse {
  store: string | null;
  runs: RunListing[];
}

export interface AccuracyStat {
  mean: number | null;
  std: number | null;
  perSeed: { seed: number; correct: number; samples: number; accuracy: number }[];
}

export interface RunDetail {
  summary: {
    run: {
      runId: string;
      suite: string;
      sampleCount: number;
      seeds: number[];
      methods: { name: string; configHash: string }[];
    };
    expected: number;
    recorded: number;
    complete: boolean;
    families: string[];
    methods: {
      label: string;
      name: string;
      samples: number;
      overall: AccuracyStat;
      families: Record<string, AccuracyStat>;
      latencyMs: { p50: number; p95: number; mean: number } | null;
      backends: string[];
    }[];
  };
  plotSvg: string;
}
