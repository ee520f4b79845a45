import type { Top } from '../api.js';

/** The five most probable classes as labelled bars (a list, so screen readers read label and percentage). */
export function Top5Bars({ top5, title, label }: { top5: Top[]; title: string; label?: string | null }) {
  return (
    <figure class="top5">
      <figcaption>{title}</figcaption>
      <ol>
        {top5.map((t, i) => (
          <li key={t.label} class={`${i === 0 ? 'first' : ''} ${label === t.label ? 'truth' : ''}`}>
            <span class="name">
              {t.label}
              {label === t.label && <span class="sr-only"> (the true class)</span>}
            </span>
            <span class="track" aria-hidden="true">
              <span class="fill" style={{ width: `${(100 * t.prob).toFixed(1)}%` }} />
            </span>
            <span class="pct">{(100 * t.prob).toFixed(1)}%</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}
