import { useState } from 'preact/hooks';
import { type AccuracyStat, api } from '../api.js';
import { useAsync } from '../use-async.js';

const acc = (s: AccuracyStat | undefined) =>
  !s || s.mean === null
    ? '—'
    : `${(100 * s.mean).toFixed(1)}${s.std === null ? '' : ` ± ${(100 * s.std).toFixed(1)}`}`;

export function BenchmarkRunPage({ runId }: { runId: string }) {
  const initial = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [method, setMethod] = useState(initial.get('method') ?? '');
  const [seed, setSeed] = useState(initial.get('seed') ?? '');
  const full = useAsync(() => api.run_(runId, new URLSearchParams()), [runId]);
  const { data, error } = useAsync(
    () => api.run_(runId, new URLSearchParams({ method, seed })),
    [runId, method, seed],
  );
  if (error || full.error)
    return (
      <p role="alert" class="error">
        {error ?? full.error}
      </p>
    );
  if (!data || !full.data) return <p aria-live="polite">Loading…</p>;
  const { summary, plotSvg } = data;
  const run = full.data.summary.run;
  return (
    <section aria-labelledby="run-title">
      <p class="crumbs">
        <a href="#/benchmarks">Benchmarks</a> / {run.suite}
      </p>
      <h1 id="run-title">{runId}</h1>
      <p class="lead">
        {run.suite} · {run.sampleCount} samples · seeds {run.seeds.join(', ')} · {summary.recorded}/
        {summary.expected} records
        {summary.complete ? '' : ' (partial)'}
      </p>
      <form class="filters" aria-label="Filter this run" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="r-method">Method</label>
          <select id="r-method" value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
            <option value="">all methods</option>
            {[...new Set(run.methods.map((m) => m.name))].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="r-seed">Seed</label>
          <select id="r-seed" value={seed} onChange={(e) => setSeed(e.currentTarget.value)}>
            <option value="">all seeds</option>
            {run.seeds.map((s) => (
              <option key={s} value={String(s)}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </form>
      <div class="table-wrap">
        <table>
          <caption>Accuracy (%), mean ± std over seeds</caption>
          <thead>
            <tr>
              <th scope="col">Method</th>
              {summary.families.map((f) => (
                <th scope="col" key={f}>
                  {f}
                </th>
              ))}
              <th scope="col">overall</th>
              <th scope="col">latency p50</th>
              <th scope="col">backend</th>
            </tr>
          </thead>
          <tbody>
            {summary.methods.map((m) => (
              <tr key={m.label}>
                <th scope="row">{m.label}</th>
                {summary.families.map((f) => (
                  <td class="num" key={f}>
                    {acc(m.families[f])}
                  </td>
                ))}
                <td class="num strong">{acc(m.overall)}</td>
                <td class="num">{m.latencyMs ? `${m.latencyMs.p50.toFixed(1)} ms` : '—'}</td>
                <td class="small">{m.backends.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {plotSvg && (
        <figure class="plot panel">
          <img
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(plotSvg)}`}
            alt={`Accuracy by family for ${summary.methods.map((m) => `${m.label} ${acc(m.overall)}%`).join(', ')}`}
          />
          <figcaption class="muted small">
            The same vega-lite spec as the run's accuracy.svg report.
          </figcaption>
        </figure>
      )}
    </section>
  );
}
