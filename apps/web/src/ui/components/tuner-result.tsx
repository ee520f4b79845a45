// A prompt-tuning run: a prediction with its label scores, or a training report (loss curve, validation
// accuracy beside the majority class, the adapter written).
import type { TunerPredictResult, TunerResult, TunerTrainResult } from '../api.js';
import { formatDuration } from './job-status.js';
import { LossCurve } from './loss-curve.js';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function PredictView({ result }: { result: TunerPredictResult }) {
  const scores = result.labelScores ? Object.entries(result.labelScores).sort((a, b) => b[1] - a[1]) : [];
  // Log-likelihoods to a distribution over the label words, for the bars.
  const max = Math.max(...scores.map(([, v]) => v));
  const total = scores.reduce((s, [, v]) => s + Math.exp(v - max), 0);
  return (
    <section class="result" aria-label={`${result.plugin} prediction`}>
      <div class="predictions">
        <div class="prediction after">
          <h3>Prediction</h3>
          <p class="big" data-testid="tuner-prediction">
            {result.prediction === '' ? '(empty)' : result.prediction}
          </p>
          <p class="muted small">
            {result.variant} · adapter <code>{result.adapter}</code>
          </p>
        </div>
      </div>
      {scores.length > 0 && (
        <figure class="top5">
          <figcaption>Label words by log-likelihood (shares after a softmax over them)</figcaption>
          <ol>
            {scores.map(([label, v], i) => (
              <li key={label} class={i === 0 ? 'first' : ''}>
                <span class="name">{label}</span>
                <span class="track" aria-hidden="true">
                  <span class="fill" style={{ width: pct(Math.exp(v - max) / total) }} />
                </span>
                <span class="pct">
                  log p {v.toFixed(2)} · {pct(Math.exp(v - max) / total)}
                </span>
              </li>
            ))}
          </ol>
        </figure>
      )}
      <dl class="details">
        <div>
          <dt>time</dt>
          <dd>{result.ms.toFixed(0)} ms</dd>
        </div>
      </dl>
    </section>
  );
}

function TrainView({ result, onUse }: { result: TunerTrainResult; onUse?: (adapter: string) => void }) {
  return (
    <section class="result" aria-label={`${result.plugin} training`}>
      <div class="predictions">
        <div class="prediction after">
          <h3>Validation accuracy</h3>
          <p class="big" data-testid="validation-accuracy">
            {result.validationAccuracy !== undefined ? pct(result.validationAccuracy) : '—'}
          </p>
          <p class="muted small">
            {result.majorityAccuracy !== null
              ? `majority class ${pct(result.majorityAccuracy)}`
              : 'no majority baseline'}
          </p>
        </div>
        <div class="prediction">
          <h3>Steps</h3>
          <p class="big">{result.steps}</p>
          <p class="muted small">last loss {result.losses.at(-1)?.toFixed(4) ?? '—'}</p>
        </div>
        <div class="prediction">
          <h3>Trainable</h3>
          <p class="big">{result.trainableParameters.toLocaleString('en')}</p>
          <p class="muted small">parameters ({result.variant})</p>
        </div>
      </div>
      <LossCurve losses={result.losses} title={`Training loss on ${result.task}`} />
      {result.adapter ? (
        <p>
          Adapter written to <code data-testid="trained-adapter">{result.adapter}</code> under the adapter
          root.{' '}
          {onUse && (
            <button type="button" class="secondary" onClick={() => onUse(result.adapter!)}>
              Predict with it
            </button>
          )}
        </p>
      ) : (
        <p class="muted">
          The server has no adapter root (start it with <code>--adapter-root</code>), so the adapter was not
          saved.
        </p>
      )}
      <dl class="details">
        <div>
          <dt>backend</dt>
          <dd>{result.backend}</dd>
        </div>
        {result.msPerStep !== undefined && (
          <div>
            <dt>per step</dt>
            <dd>{result.msPerStep.toFixed(0)} ms</dd>
          </div>
        )}
        {result.ms.total !== undefined && (
          <div>
            <dt>total</dt>
            <dd>{formatDuration(result.ms.total)}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}

export function TunerResultView({
  result,
  onUse,
}: {
  result: TunerResult;
  onUse?: (adapter: string) => void;
}) {
  return result.action === 'predict' ? (
    <PredictView result={result} />
  ) : (
    <TrainView result={result} {...(onUse ? { onUse } : {})} />
  );
}
