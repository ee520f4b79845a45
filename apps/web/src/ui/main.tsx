import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import './styles.css';
import { BenchmarkRunPage } from './pages/benchmark-run-page.js';
import { BenchmarksPage } from './pages/benchmarks-page.js';
import { ComparePage } from './pages/compare-page.js';
import { PluginsPage } from './pages/plugins-page.js';
import { RunPage } from './pages/run-page.js';
import { type Route, useRoute } from './route.js';

const NAV = [
  { href: '#/', label: 'Plugins', pages: ['plugins', 'run'] },
  { href: '#/compare', label: 'Compare', pages: ['compare'] },
  { href: '#/benchmarks', label: 'Benchmarks', pages: ['benchmarks', 'benchmark'] },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'plugins':
      return <PluginsPage />;
    case 'run':
      return <RunPage key={route.plugin} name={route.plugin} />;
    case 'compare':
      return <ComparePage />;
    case 'benchmarks':
      return <BenchmarksPage />;
    case 'benchmark':
      return <BenchmarkRunPage key={route.runId} runId={route.runId} />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page <code>{route.path}</code>. <a href="#/">See the installed plugins.</a>
          </p>
        </section>
      );
  }
}

function App() {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  // After navigating, move focus to the page so keyboard and screen-reader users start at its heading.
  useEffect(() => {
    main.current?.focus({ preventScroll: true });
  }, [route]);
  return (
    <>
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href="#/">
          <span aria-hidden="true" class="logo">
            ◐
          </span>{' '}
          attune
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.pages.includes(route.page) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
