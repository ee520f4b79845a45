// Starts a run and follows its events: status, progress, result or error, and cancel.
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, api, followJob, type RunResult } from './api.js';

export interface JobState {
  status: 'idle' | 'submitting' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  job?: string;
  stage?: string;
  done?: number;
  total?: number;
  position?: number;
  result?: RunResult;
  error?: string;
  /** The last progress event's numbers (training: loss, msPerStep, etaMs). */
  metrics?: Record<string, number>;
  /** Every reported loss so far, for the live curve. */
  losses?: number[];
}

export function useJob() {
  const [state, setState] = useState<JobState>({ status: 'idle' });
  const stop = useRef<() => void>(() => {});
  useEffect(() => () => stop.current(), []);

  const start = async (plugin: string, form: FormData): Promise<JobState> => {
    stop.current();
    setState({ status: 'submitting' });
    let job: string;
    try {
      job = (await api.run(plugin, form)).job;
    } catch (error) {
      const e = error as ApiError;
      const detail = e.problems?.length
        ? `: ${e.problems.map((p) => `${p.path} expected ${p.expected}`).join('; ')}`
        : '';
      const failed: JobState = { status: 'failed', error: `${e.message}${detail}` };
      setState(failed);
      return failed;
    }
    return new Promise((resolve) => {
      let current: JobState = { status: 'queued', job };
      setState(current);
      stop.current = followJob(job, (event) => {
        if (event.type === 'queued') current = { ...current, status: 'queued', position: event.position };
        if (event.type === 'started') current = { ...current, status: 'running' };
        if (event.type === 'progress')
          current = {
            ...current,
            status: 'running',
            stage: event.stage,
            done: event.done,
            total: event.total,
            ...(event.metrics
              ? {
                  metrics: event.metrics,
                  ...(event.metrics.loss !== undefined
                    ? { losses: [...(current.losses ?? []), event.metrics.loss] }
                    : {}),
                }
              : {}),
          };
        if (event.type === 'result') current = { ...current, status: 'done', result: event.result };
        if (event.type === 'error') current = { ...current, status: 'failed', error: event.message };
        if (event.type === 'cancelled') current = { ...current, status: 'cancelled' };
        setState(current);
        if (['done', 'failed', 'cancelled'].includes(current.status)) resolve(current);
      });
    });
  };
  const cancel = () => {
    if (state.job) void api.cancel(state.job);
  };
  const busy = ['submitting', 'queued', 'running'].includes(state.status);
  return { state, start, cancel, busy };
}
