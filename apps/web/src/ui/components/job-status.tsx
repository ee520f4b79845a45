import type { JobState } from '../use-job.js';
import { LossCurve } from './loss-curve.js';

/** 83 s → "1 min 23 s". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Live progress of a run, announced politely to screen readers; errors are alerts. */
export function JobStatus({ state, onCancel }: { state: JobState; onCancel?: () => void }) {
  if (state.status === 'idle') return null;
  if (state.status === 'failed') {
    return (
      <div class="status error" role="alert">
        <strong>The run failed.</strong> {state.error}
      </div>
    );
  }
  if (state.status === 'cancelled')
    return (
      <div class="status" role="status">
        Cancelled.
      </div>
    );
  if (state.status === 'done')
    return (
      <div class="status ok" role="status">
        Done.
      </div>
    );
  const fraction = state.total ? (state.done ?? 0) / state.total : undefined;
  const label =
    state.status === 'submitting'
      ? 'Sending…'
      : state.status === 'queued'
        ? `Queued${state.position ? ` behind ${state.position} job${state.position > 1 ? 's' : ''}` : ''}…`
        : `${state.stage ?? 'Running'}${state.total ? ` (${state.done}/${state.total})` : ''}`;
  return (
    <div class="status running">
      <div role="status" aria-live="polite">
        {label}
      </div>
      <div
        class="progress"
        role="progressbar"
        aria-label="Run progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === undefined ? undefined : Math.round(fraction * 100)}
      >
        <div class="bar" style={{ width: `${Math.round((fraction ?? 0.05) * 100)}%` }} />
      </div>
      {state.metrics && (
        <p class="metrics" data-testid="train-metrics">
          {state.metrics.loss !== undefined && (
            <span>
              loss <strong>{state.metrics.loss.toFixed(4)}</strong>
            </span>
          )}
          {state.metrics.msPerStep !== undefined && <span>{state.metrics.msPerStep.toFixed(0)} ms/step</span>}
          {state.metrics.etaMs !== undefined && <span>ETA {formatDuration(state.metrics.etaMs)}</span>}
        </p>
      )}
      {state.losses && state.losses.length > 0 && (
        <LossCurve
          losses={state.losses}
          {...(state.total ? { total: state.total } : {})}
          title="Training loss"
        />
      )}
      {onCancel && state.job && (
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
