import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useAsync } from '../use-async.js';

export function BenchmarksPage() {
  const [suite, setSuite] = useState('');
  const [method, setMethod] = useState('');
  const [seed, setSeed] = useState('');
  const all = useAsync(() => api.runs(new URLSearchParams()));
  const query = new URLSearchParams({ suite, method, seed: /^\d+$/.test(seed) ? seed : '' });
  const filtered = useAsync(() => api.runs(query), [suite, method, seed]);
  if (all.error)
    return (
      <p role="alert" class="error">
        {all.error}
      </p>
    );
  if (!all.data) return <p aria-live="polite">Loading…</p>;
  if (all.data.store === null) {
    return (
      <section>
        <h1>Benchmarks</h1>
        <p>
          No result store. Run a benchmark (
          <code>attune bench mini-clip-corrupt-short --methods zeroshot,sts</code>) and start the server with{' '}
          <code>attune serve --db attune-bench/results.sqlite</code>.
        </p>
      </section>
    );
  }
  const suites = [...new Set(all.data.runs.map((r) => r.suite))].sort();
  const methods = [...new Set(all.data.runs.flatMap((r) => r.methods))].sort();
  const runs = filtered.data?.runs ?? [];
  return (
    <section aria-labelledby="bench-title">
      <h1 id="bench-title">Benchmarks</h1>
      <p class="lead">
        Runs in <code>{all.data.store}</code>.
      </p>
      <form class="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="f-suite">Suite</label>
          <select id="f-suite" value={suite} onChange={(e) => setSuite(e.currentTarget.value)}>
            <option value="">all suites</option>
            {suites.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-method">Method</label>
          <select id="f-method" value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
            <option value="">all methods</option>
            {methods.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-seed">Seed</label>
          <input
            id="f-seed"
            type="text"
            inputMode="numeric"
            placeholder="any"
            value={seed}
            onInput={(e) => setSeed(e.currentTarget.value)}
          />
        </div>
      </form>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Benchmark runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Suite</th>
              <th scope="col">Methods</th>
              <th scope="col">Seeds</th>
              <th scope="col">Samples</th>
              <th scope="col">Records</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const q = new URLSearchParams({
                ...(method ? { method } : {}),
                ...(/^\d+$/.test(seed) ? { seed } : {}),
              }).toString();
              return (
                <tr key={r.runId}>
                  <th scope="row">
                    <a href={`#/benchmarks/${encodeURIComponent(r.runId)}${q ? `?${q}` : ''}`}>{r.runId}</a>
                  </th>
                  <td>{r.suite}</td>
                  <td>{r.methods.join(', ')}</td>
                  <td>{r.seeds.join(', ')}</td>
                  <td class="num">{r.sampleCount}</td>
                  <td class="num">
                    {r.recorded}/{r.expected}
                    {r.recorded < r.expected && <span class="badge partial">partial</span>}
                  </td>
                  <td>{new Date(r.createdAt).toLocaleString()}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {runs.length === 0 && <p class="muted">No run matches these filters.</p>}
      </div>
    </section>
  );
}
