// Hash routes, so every page has a URL that works when reloaded or shared, with no server-side routing.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'plugins' }
  | { page: 'run'; plugin: string }
  | { page: 'compare' }
  | { page: 'benchmarks' }
  | { page: 'benchmark'; runId: string }
  | { page: 'missing'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'plugins' };
  if (parts[0] === 'run' && parts[1]) return { page: 'run', plugin: parts[1] };
  if (parts[0] === 'compare') return { page: 'compare' };
  if (parts[0] === 'benchmarks' && parts[1]) return { page: 'benchmark', runId: parts[1] };
  if (parts[0] === 'benchmarks') return { page: 'benchmarks' };
  return { page: 'missing', path };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
