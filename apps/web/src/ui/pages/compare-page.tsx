// Several image methods side by side on the same image, each with its defaults, run one after another.
import { useState } from 'preact/hooks';
import { api, type ImageResult } from '../api.js';
import { appendImage, type ImageChoice, ImagePicker } from '../components/image-picker.js';
import { ImageResultView } from '../components/image-result.js';
import { JobStatus } from '../components/job-status.js';
import { useAsync } from '../use-async.js';
import { type JobState, useJob } from '../use-job.js';

export function ComparePage() {
  const { data, error } = useAsync(api.plugins);
  const [image, setImage] = useState<ImageChoice>({});
  const [chosen, setChosen] = useState<string[]>(['zeroshot', 'tpt', 'sts']);
  const [seed, setSeed] = useState('0');
  const [results, setResults] = useState<{ plugin: string; state: JobState }[]>([]);
  const { state, start, cancel, busy } = useJob();
  if (error)
    return (
      <p role="alert" class="error">
        {error}
      </p>
    );
  if (!data) return <p aria-live="polite">Loading…</p>;
  const methods = data.plugins.filter((p) => p.contract === 'image-classifier' && p.unmetNeeds.length === 0);
  const selected = chosen.filter((c) => methods.some((m) => m.name === c));

  const runAll = async (e: Event) => {
    e.preventDefault();
    setResults([]);
    for (const plugin of selected) {
      const form = new FormData();
      form.append('seed', /^\d+$/.test(seed) ? seed : '0');
      appendImage(form, image);
      const final = await start(plugin, form);
      setResults((r) => [...r, { plugin, state: final }]);
      if (final.status === 'cancelled') break;
    }
  };
  const toggle = (name: string, on: boolean) =>
    setChosen((c) => (on ? [...c, name] : c.filter((x) => x !== name)));

  return (
    <section aria-labelledby="compare-title">
      <h1 id="compare-title">Compare methods</h1>
      <p class="lead">
        Run several image methods, each with its default configuration, on the same image and seed.
      </p>
      <div class="run-layout">
        <form class="panel" onSubmit={runAll} aria-label="Compare methods">
          <ImagePicker onChange={setImage} />
          <fieldset>
            <legend>Methods</legend>
            {methods.map((m) => (
              <label class="check" key={m.name}>
                <input
                  type="checkbox"
                  checked={chosen.includes(m.name)}
                  onChange={(e) => toggle(m.name, e.currentTarget.checked)}
                />{' '}
                {m.name}
              </label>
            ))}
          </fieldset>
          <div class="field">
            <label for="compare-seed">Seed</label>
            <input
              id="compare-seed"
              type="text"
              inputMode="numeric"
              value={seed}
              onInput={(e) => setSeed(e.currentTarget.value)}
            />
          </div>
          <div class="actions">
            <button type="submit" disabled={busy || selected.length === 0 || !(image.file || image.sample)}>
              Run {selected.length} method{selected.length === 1 ? '' : 's'}
            </button>
          </div>
        </form>
        <div class="output">
          {busy && <JobStatus state={state} onCancel={cancel} />}
          {results.length === 0 && !busy && (
            <p class="muted empty panel">Results appear here side by side.</p>
          )}
          <ul class="compare-grid">
            {results.map(({ plugin, state: s }) => (
              <li class="panel" key={plugin}>
                <h2>{plugin}</h2>
                {s.result ? (
                  <ImageResultView result={s.result as ImageResult} job={s.job!} compact />
                ) : (
                  <JobStatus state={s} />
                )}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}
