// The run page of any method: the form comes from the plugin's JSON Schema, the input and the result view
// from its contract (image classifier or text answer).
import { useCallback, useRef, useState } from 'preact/hooks';
import { api, type ImageResult, type PluginInfo, type RemixResult, type TextResult } from '../api.js';
import { ConfigForm, type ConfigState } from '../components/config-form.js';
import { appendImage, type ImageChoice, ImagePicker } from '../components/image-picker.js';
import { ImageResultView } from '../components/image-result.js';
import { JobStatus } from '../components/job-status.js';
import { RemixResultView } from '../components/remix-result.js';
import { TextResultView } from '../components/text-result.js';
import { TunerForm } from '../components/tuner-form.js';
import { useAsync } from '../use-async.js';
import { useJob } from '../use-job.js';

const HIDDEN = ['seed'];

function RunForm({ plugin }: { plugin: PluginInfo }) {
  const [config, setConfig] = useState<ConfigState>({ config: {}, valid: false });
  const [image, setImage] = useState<ImageChoice>({});
  const isRemix = plugin.contract === 'expert-remix';
  const [prompt, setPrompt] = useState(
    isRemix
      ? 'Is the word "wonderful" positive or negative?'
      : 'Mia has 12 apples. Mia buys 7 more apples. Then she gives 5 apples to a friend. How many apples does Mia have now?',
  );
  const [options, setOptions] = useState('');
  const [seed, setSeed] = useState('0');
  const { state, start, cancel, busy } = useJob();
  // A long form leaves the result panel out of view: bring it in when a run starts.
  const output = useRef<HTMLElement>(null);
  const onConfig = useCallback((s: ConfigState) => setConfig(s), []);
  const isImage = plugin.contract === 'image-classifier';
  const seedValid = /^\d+$/.test(seed);
  const inputReady = isImage ? Boolean(image.file || image.sample) : prompt.trim() !== '';
  const canRun = config.valid && seedValid && inputReady && !busy;

  const submit = (e: Event) => {
    e.preventDefault();
    if (!canRun) return;
    const form = new FormData();
    form.append('config', JSON.stringify(config.config));
    form.append('seed', seed);
    if (isImage) appendImage(form, image);
    else form.append('prompt', prompt);
    if (isRemix && options.trim() !== '') form.append('options', options);
    output.current?.scrollIntoView({ block: 'start' });
    void start(plugin.name, form);
  };

  return (
    <div class="run-layout">
      <form class="panel" onSubmit={submit} aria-label={`Run ${plugin.name}`}>
        {isImage ? (
          <ImagePicker onChange={setImage} />
        ) : (
          <div class="field">
            <label for="prompt">Prompt</label>
            <textarea id="prompt" rows={3} value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
          </div>
        )}
        {isRemix && (
          <div class="field">
            <label for="options">Answer options</label>
            <input
              id="options"
              type="text"
              value={options}
              placeholder="positive, negative"
              aria-describedby="options-hint"
              onInput={(e) => setOptions(e.currentTarget.value)}
            />
            <small class="hint" id="options-hint">
              Comma-separated; empty: the reference set’s own options (the family in the configuration).
            </small>
          </div>
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
          {!seedValid && (
            <small class="field-error" role="alert">
              seed must be a whole number ≥ 0
            </small>
          )}
        </div>
        <ConfigForm
          plugin={plugin.name}
          schema={plugin.schema}
          defaults={plugin.defaults}
          hidden={HIDDEN}
          onChange={onConfig}
        />
        <div class="actions">
          <button type="submit" disabled={!canRun}>
            Run {plugin.name}
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
          <p class="muted empty">Choose an input and press Run. Progress and the result appear here.</p>
        )}
        {state.result?.contract === 'image-classifier' && (
          <ImageResultView result={state.result as ImageResult} job={state.job!} />
        )}
        {state.result?.contract === 'text-answer' && <TextResultView result={state.result as TextResult} />}
        {state.result?.contract === 'expert-remix' && (
          <RemixResultView result={state.result as RemixResult} />
        )}
      </section>
    </div>
  );
}

export function RunPage({ name }: { name: string }) {
  const { data, error } = useAsync(api.plugins);
  if (error)
    return (
      <p role="alert" class="error">
        {error}
      </p>
    );
  if (!data) return <p aria-live="polite">Loading…</p>;
  const plugin = data.plugins.find((p) => p.name === name);
  if (!plugin) {
    return (
      <section>
        <h1>No plugin “{name}”</h1>
        <p>
          It is not installed. <a href="#/">See the installed plugins.</a>
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="run-title">
      <p class="crumbs">
        <a href="#/">Plugins</a> / {plugin.kind}
      </p>
      <h1 id="run-title">
        {plugin.name}{' '}
        <span class={`badge ${plugin.contract}`}>
          {plugin.contract === 'none' ? plugin.kind : plugin.contract}
        </span>
      </h1>
      <p class="lead">{plugin.description}</p>
      <p class="meta">
        {plugin.package} v{plugin.version} · needs {plugin.needs.join(', ') || 'nothing'} · provides{' '}
        {plugin.provides.join(', ') || 'nothing'}
      </p>
      {plugin.contract === 'none' ? (
        <p>
          {plugin.kind === 'method'
            ? `The web app has no page yet for what this method provides (${plugin.provides.join(', ')}); it runs from the CLI and the benchmark.`
            : `This plugin has no page to run it: it is a ${plugin.kind} that methods use.`}
        </p>
      ) : plugin.unmetNeeds.length > 0 ? (
        <p class="warn" role="alert">
          It needs {plugin.unmetNeeds.join(', ')}, which no installed plugin provides.
        </p>
      ) : plugin.contract === 'prompt-tuning' ? (
        <TunerForm plugin={plugin} />
      ) : (
        <RunForm plugin={plugin} />
      )}
    </section>
  );
}
