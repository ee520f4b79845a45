import { api, type PluginInfo } from '../api.js';
import { useAsync } from '../use-async.js';

const KIND_TITLES: Record<string, string> = {
  method: 'Methods',
  model: 'Models',
  backend: 'Backends',
  dataset: 'Datasets',
  suite: 'Benchmark suites',
};

const CONTRACT_LABEL: Record<string, string> = {
  'image-classifier': 'image',
  'text-answer': 'text',
  'expert-remix': 'expert re-mix',
  'prompt-tuning': 'prompt tuning',
};

function PluginCard({ plugin }: { plugin: PluginInfo }) {
  const runnable = plugin.contract !== 'none';
  return (
    <li class="card plugin">
      <div class="plugin-head">
        <h3 id={`plugin-${plugin.name}`}>
          {runnable ? <a href={`#/run/${plugin.name}`}>{plugin.name}</a> : plugin.name}
        </h3>
        {runnable && <span class={`badge ${plugin.contract}`}>{CONTRACT_LABEL[plugin.contract]}</span>}
      </div>
      <p class="muted">{plugin.description}</p>
      <p class="meta">
        <span>{plugin.package || 'registered by hand'}</span> · <span>v{plugin.version}</span>
      </p>
      {plugin.unmetNeeds.length > 0 && (
        <p class="warn">needs {plugin.unmetNeeds.join(', ')}, which no installed plugin provides</p>
      )}
      {runnable && (
        <a class="button small" href={`#/run/${plugin.name}`} aria-describedby={`plugin-${plugin.name}`}>
          Run
        </a>
      )}
    </li>
  );
}

export function PluginsPage() {
  const { data, error } = useAsync(api.plugins);
  if (error)
    return (
      <p role="alert" class="error">
        Cannot list the plugins: {error}
      </p>
    );
  if (!data) return <p aria-live="polite">Loading the installed plugins…</p>;
  const kinds = [...new Set(data.plugins.map((p) => p.kind))].sort(
    (a, b) => Object.keys(KIND_TITLES).indexOf(a) - Object.keys(KIND_TITLES).indexOf(b),
  );
  return (
    <section aria-labelledby="plugins-title">
      <h1 id="plugins-title">Installed plugins</h1>
      <p class="lead">
        {data.plugins.length} plugins from the installed packages. Install or remove a method package and
        restart <code>attune serve</code> to see the list change.
      </p>
      {kinds.map((kind) => {
        const plugins = data.plugins.filter((p) => p.kind === kind);
        return (
          <section key={kind} aria-labelledby={`kind-${kind}`}>
            <h2 id={`kind-${kind}`}>
              {KIND_TITLES[kind] ?? kind} <span class="count">{plugins.length}</span>
            </h2>
            <ul class="grid cards">
              {plugins.map((p) => (
                <PluginCard key={p.name} plugin={p} />
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}
