// The run page of a prompt-tuning method (DePT, vanilla prompt tuning), from the contract: predict with an
// adapter from the server's adapter roots, or train one on a pinned task as a long job with live loss, step
// and ETA, cancellable. Training defaults to a few steps here so a try in the browser takes seconds.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type AdapterInfo, api, type PluginInfo, type TunerResult } from '../api.js';
import { useAsync } from '../use-async.js';
import { useJob } from '../use-job.js';
import { ConfigForm, type ConfigState } from './config-form.js';
import { JobStatus } from './job-status.js';
import { TunerResultView } from './tuner-result.js';

/**
 * Small by default in the browser: the config's own defaults (hundreds of steps) are for the CLI and bench.
 * After a few steps greedy decoding seldom produces a label word yet, so label scoring is the default here.
 */
const TRAIN_DEFAULTS: Record<string, unknown> = { steps: 20, warmupSteps: 2, batchSize: 8, predict: 'score' };
const HIDDEN = ['seed'];

type Mode = 'predict' | 'train';

export function TunerForm({ plugin }: { plugin: PluginInfo }) {
  const [mode, setMode] = useState<Mode>('predict');
  const tasks = useAsync(api.tasks);
  const [adapters, setAdapters] = useState<{ writable: boolean; adapters: AdapterInfo[] } | undefined>();
  const [adapter, setAdapter] = useState('');
  const [text, setText] = useState('');
  const [task, setTask] = useState('');
  const [validation, setValidation] = useState('64');
  const [seed, setSeed] = useState('0');
  const [config, setConfig] = useState<ConfigState>({ config: {}, valid: false });
  const { state, start, cancel, busy } = useJob();
  // A long form leaves the result panel out of view: bring it in when a run starts.
  const output = useRef<HTMLElement>(null);
  const onConfig = useCallback((s: ConfigState) => setConfig(s), []);

  const reloadAdapters = useCallback(
    (select?: string) =>
      api.adapters().then((a) => {
        setAdapters(a);
        setAdapter((current) => select ?? (current || a.adapters[0]?.path || ''));
      }),
    [],
  );
  useEffect(() => {
    void reloadAdapters();
  }, [reloadAdapters]);
  useEffect(() => {
    if (!task && tasks.data?.tasks[0]) setTask(tasks.data.tasks[0].name);
  }, [tasks.data, task]);
  // A new adapter's task gives the example text (once the user has not typed their own).
  const chosen = adapters?.adapters.find((a) => a.path === adapter);
  const example = tasks.data?.tasks.find((t) => t.name === chosen?.task)?.example ?? '';
  const [typed, setTyped] = useState(false);
  useEffect(() => {
    if (!typed) setText(example);
  }, [example, typed]);
  // When a training run ends, its adapter is listed for prediction.
  useEffect(() => {
    if (
      state.status === 'done' &&
      state.result?.contract === 'prompt-tuning' &&
      state.result.action === 'train'
    )
      void reloadAdapters();
  }, [state.status, state.result, reloadAdapters]);

  const defaults = useMemo(() => {
    if (mode === 'predict') return plugin.defaults;
    const keys = Object.keys(plugin.schema.properties ?? {});
    return {
      ...plugin.defaults,
      ...Object.fromEntries(Object.entries(TRAIN_DEFAULTS).filter(([k]) => keys.includes(k))),
    };
  }, [mode, plugin]);

  const seedValid = /^\d+$/.test(seed);
  const validationValid = /^\d+$/.test(validation);
  const inputReady =
    mode === 'predict' ? adapter !== '' && text.trim() !== '' : task !== '' && validationValid;
  const canRun = config.valid && seedValid && inputReady && !busy;
  const chosenTask = tasks.data?.tasks.find((t) => t.name === task);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!canRun) return;
    const form = new FormData();
    form.append('action', mode);
    form.append('config', JSON.stringify(config.config));
    form.append('seed', seed);
    if (mode === 'predict') {
      form.append('adapter', adapter);
      form.append('prompt', text);
    } else {
      form.append('task', task);
      form.append('validationExamples', validation);
    }
    output.current?.scrollIntoView({ block: 'start' });
    void start(plugin.name, form);
  };
  // The button that called this disappears with the training result: focus goes to the adapter it chose.
  const predictWith = (path: string) => {
    setMode('predict');
    setTyped(false);
    void reloadAdapters(path).then(() => document.getElementById('adapter')?.focus());
  };

  const configForm = (
    <ConfigForm
      key={mode}
      plugin={plugin.name}
      schema={plugin.schema}
      defaults={defaults}
      hidden={HIDDEN}
      onChange={onConfig}
    />
  );

  return (
    <div class="run-layout">
      <form
        class="panel"
        onSubmit={submit}
        aria-label={`${mode === 'predict' ? 'Predict with' : 'Train'} ${plugin.name}`}
      >
        <div class="tabs" role="radiogroup" aria-label="What to do">
          {(['predict', 'train'] as const).map((m) => (
            <label key={m} class={`tab ${mode === m ? 'active' : ''}`}>
              <input
                type="radio"
                name="tuner-mode"
                value={m}
                checked={mode === m}
                onChange={() => setMode(m)}
              />
              {m === 'predict' ? 'Predict with an adapter' : 'Train an adapter'}
            </label>
          ))}
        </div>
        {mode === 'predict' ? (
          <>
            <div class="field">
              <label for="adapter">Adapter</label>
              {adapters && adapters.adapters.length > 0 ? (
                <select id="adapter" value={adapter} onChange={(e) => setAdapter(e.currentTarget.value)}>
                  {adapters.adapters.map((a) => (
                    <option key={a.path} value={a.path}>
                      {a.path} — {a.task ?? '?'} ({a.labels.join('/')}), {a.steps ?? '?'} steps
                    </option>
                  ))}
                </select>
              ) : (
                <p class="muted small" id="adapter" role="note">
                  {adapters?.writable
                    ? 'No adapters under the adapter roots yet: train one (the other tab).'
                    : 'This server has no adapter folders; start it with attune serve --adapter-root <dir>.'}
                </p>
              )}
              {chosen && (
                <small class="hint">
                  {chosen.variant} on {chosen.model}; label words {chosen.labels.join(', ')}
                </small>
              )}
            </div>
            <div class="field">
              <label for="tuner-text">Text to classify</label>
              <textarea
                id="tuner-text"
                rows={4}
                value={text}
                onInput={(e) => {
                  setTyped(true);
                  setText(e.currentTarget.value);
                }}
              />
              <small class="hint">
                In the task’s template (Question: … Answer:), as the adapter was trained.
              </small>
            </div>
          </>
        ) : (
          <>
            <div class="field">
              <label for="task">Task</label>
              {tasks.data && tasks.data.tasks.length === 0 ? (
                <p class="muted small" id="task" role="note">
                  This server has no tasks to train on: attune serve passes @attune/method-dept’s pinned tasks
                  when that package is installed.
                </p>
              ) : (
                <select id="task" value={task} onChange={(e) => setTask(e.currentTarget.value)}>
                  {tasks.data?.tasks.map((t) => (
                    <option key={t.name} value={t.name}>
                      {t.name} — {t.labels.join(' / ')}
                    </option>
                  ))}
                </select>
              )}
              {chosenTask && (
                <small class="hint">
                  {chosenTask.train} training and {chosenTask.validation} validation examples
                  {chosenTask.majorityAccuracy !== null
                    ? `; majority class ${(100 * chosenTask.majorityAccuracy).toFixed(1)} %`
                    : ''}
                </small>
              )}
            </div>
            <div class={`field ${validationValid ? '' : 'invalid'}`}>
              <label for="validation">Validation examples scored at the end</label>
              <input
                id="validation"
                type="text"
                inputMode="numeric"
                value={validation}
                aria-invalid={validationValid ? undefined : 'true'}
                aria-describedby="validation-hint"
                onInput={(e) => setValidation(e.currentTarget.value)}
              />
              <small class="hint" id="validation-hint">
                0: none; the first n of the task’s validation split
              </small>
            </div>
          </>
        )}
        <div class={`field ${seedValid ? '' : 'invalid'}`}>
          <label for="seed">Seed</label>
          <input
            id="seed"
            type="text"
            inputMode="numeric"
            value={seed}
            aria-invalid={seedValid ? undefined : 'true'}
            onInput={(e) => setSeed(e.currentTarget.value)}
          />
        </div>
        {mode === 'predict' ? (
          // Predicting uses the adapter's shape; of the config only the model and how to predict matter, so
          // the (long) form is folded away here.
          <details class="config-fold">
            <summary>Settings (model, how to predict)</summary>
            {configForm}
          </details>
        ) : (
          configForm
        )}
        <div class="actions">
          <button type="submit" disabled={!canRun}>
            {mode === 'predict' ? 'Predict' : 'Train'} with {plugin.name}
          </button>
          {!config.valid && <span class="muted small">Fix the configuration to run.</span>}
        </div>
      </form>
      <section class="panel output" aria-labelledby="result-title" ref={output}>
        <h2 id="result-title" class="sr-only">
          Result
        </h2>
        <JobStatus state={state} onCancel={cancel} />
        {state.status === 'idle' && (
          <p class="muted empty">
            Predict with an adapter, or train one: the loss, step and time left appear here as it trains.
          </p>
        )}
        {state.result?.contract === 'prompt-tuning' && (
          <TunerResultView result={state.result as TunerResult} onUse={predictWith} />
        )}
      </section>
    </div>
  );
}
