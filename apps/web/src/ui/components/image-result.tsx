import type { ImageResult } from '../api.js';
import { Top5Bars } from './top5-bars.js';

const fmt = (v: unknown, digits = 3) => (typeof v === 'number' ? v.toFixed(digits) : '—');

function Verdict({ prediction, label }: { prediction: string; label: string | null }) {
  if (label === null) return null;
  return prediction === label ? (
    <span class="verdict right">correct</span>
  ) : (
    <span class="verdict wrong">wrong (true: {label})</span>
  );
}

/** Everything an image-classifier run returns: before/after, top-5, entropy, the views and which were kept. */
export function ImageResultView({
  result,
  job,
  compact = false,
}: {
  result: ImageResult;
  job: string;
  compact?: boolean;
}) {
  const { before, after, views } = result;
  const kept = new Set(views?.kept ?? []);
  const extra = Object.entries(result.adaptation).filter(
    ([k, v]) =>
      !['ms', 'entropyBefore', 'entropyAfter', 'keptViews'].includes(k) &&
      (typeof v === 'number' || typeof v === 'string'),
  );
  const totalMs = Object.values(result.adaptation.ms ?? {}).reduce((s, v) => s + v, 0);
  return (
    <section class="result" aria-label={`${result.plugin} result`}>
      <div class="predictions">
        {before && (
          <div class="prediction before">
            <h3>Before adaptation</h3>
            <p class="big">{before.prediction}</p>
            <p class="muted small">
              frozen model ({before.plugin}) <Verdict prediction={before.prediction} label={result.label} />
            </p>
          </div>
        )}
        <div class="prediction after">
          <h3>{before ? 'After adaptation' : 'Prediction'}</h3>
          <p class="big" data-testid="prediction">
            {after.prediction}
          </p>
          <p class="muted small">
            {result.plugin} <Verdict prediction={after.prediction} label={result.label} />
          </p>
        </div>
        {(result.entropyBefore !== null || result.entropyAfter !== null) && (
          <div class="prediction entropy">
            <h3>Entropy</h3>
            <p class="big">
              {fmt(result.entropyBefore)} <span aria-hidden="true">→</span> {fmt(result.entropyAfter)}
            </p>
            <p class="muted small">nats, before → after</p>
          </div>
        )}
      </div>
      <div class={`bars ${before ? 'two' : ''}`}>
        {before && <Top5Bars top5={before.top5} title="Top-5 before" label={result.label} />}
        <Top5Bars top5={after.top5} title={before ? 'Top-5 after' : 'Top-5'} label={result.label} />
      </div>
      {views && !compact && (
        <figure class="views">
          <figcaption>
            {views.files.length} test-time views (view 0 is the image itself)
            {views.kept && (
              <>
                {' '}
                · <span class="kept-key">kept</span> {views.kept.length} by confidence selection
              </>
            )}
          </figcaption>
          <ul class="view-grid">
            {views.files.map((file, i) => (
              <li key={file} class={kept.has(i) ? 'kept' : ''}>
                <img
                  src={`/api/jobs/${job}/files/${file}`}
                  alt={`view ${i}${kept.has(i) ? ', kept' : ''}`}
                  width={56}
                  height={56}
                  loading="lazy"
                />
              </li>
            ))}
          </ul>
        </figure>
      )}
      {!compact && (
        <dl class="details">
          {extra.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{typeof v === 'number' ? fmt(v, Number.isInteger(v) ? 0 : 4) : String(v)}</dd>
            </div>
          ))}
          <div>
            <dt>time</dt>
            <dd>
              {totalMs.toFixed(0)} ms{' '}
              <span class="muted">
                (
                {Object.entries(result.adaptation.ms ?? {})
                  .map(([k, v]) => `${k} ${v.toFixed(0)}`)
                  .join(', ')}
                )
              </span>
            </dd>
          </div>
          <div>
            <dt>backend</dt>
            <dd>{result.backend}</dd>
          </div>
          <div>
            <dt>seed</dt>
            <dd>{result.seed}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
