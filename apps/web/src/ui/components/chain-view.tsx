// QAlign's chain, so a reader sees why an answer won: the reward of the chain's state after every step
// (with each proposal's reward, accepted or not), and the table of the states it accepted — the step it
// moved there, the answer, the reward and how many steps it held (its weight in the vote).
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { ChainView as Chain } from '../api.js';

/** Rows shown before "show all": the first and last EDGE states. */
const EDGE = 12;

function RewardTrace({ chain }: { chain: Chain }) {
  const W = 640;
  const H = 160;
  const pad = 28;
  const current = chain.path.map((i) => chain.states[i]!.reward);
  const values = [...current, ...chain.proposalRewards].filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const steps = Math.max(1, chain.path.length - 1);
  const x = (t: number) => pad + ((W - 2 * pad) * t) / steps;
  const y = (v: number) => H - pad - ((H - 2 * pad) * (v - lo)) / span;
  const line = current
    .map((v, t) => (v === null ? '' : `${t === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`))
    .join(' ');
  return (
    <svg
      class="chain-trace"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Reward of the chain's state after each of its ${steps} steps, from ${lo.toFixed(2)} to ${hi.toFixed(2)}; dots are proposals, filled when accepted`}
    >
      <line x1={pad} x2={W - pad} y1={H - pad} y2={H - pad} class="axis" />
      <text x={pad} y={H - 8} class="tick">
        step 0
      </text>
      <text x={W - pad} y={H - 8} class="tick" text-anchor="end">
        step {steps}
      </text>
      <text x={4} y={y(hi) + 4} class="tick">
        {hi.toFixed(2)}
      </text>
      <text x={4} y={y(lo) + 4} class="tick">
        {lo.toFixed(2)}
      </text>
      {chain.proposalRewards.map((r, t) =>
        r === null ? null : (
          <circle
            key={t}
            cx={x(t + 1)}
            cy={y(r)}
            r={2.5}
            class={chain.accepted[t] ? 'accepted' : 'rejected'}
          />
        ),
      )}
      <path d={line} class="state" />
    </svg>
  );
}

export function ChainView({ chain, winner }: { chain: Chain; winner: string | null }) {
  const [all, setAll] = useState(false);
  const n = chain.states.length;
  const shown =
    all || n <= 2 * EDGE
      ? chain.states.map((s, i) => ({ s, i }))
      : [...chain.states.slice(0, EDGE), ...chain.states.slice(n - EDGE)].map((s, k) => ({
          s,
          i: k < EDGE ? k : n - 2 * EDGE + k,
        }));
  const accepted = chain.accepted.filter(Boolean).length;
  return (
    <figure class="chain" aria-label="Chain">
      <figcaption>
        The chain: {n} states ({accepted} of {chain.accepted.length} proposals accepted); rows with the
        winning answer are marked
      </figcaption>
      <RewardTrace chain={chain} />
      <div class="table-wrap">
        <table>
          <caption>Chain states</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                step
              </th>
              <th scope="col">answer</th>
              <th scope="col" class="num">
                reward
              </th>
              <th scope="col" class="num">
                steps held
              </th>
              <th scope="col">output</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(({ s, i }, k) => (
              <Fragment key={i}>
                {!all && n > 2 * EDGE && k === EDGE && (
                  <tr key="gap">
                    <td colSpan={5} class="muted">
                      … {n - 2 * EDGE} more states
                    </td>
                  </tr>
                )}
                <tr class={s.answer === winner ? 'winner' : ''} data-testid="chain-state">
                  <td class="num">{s.step}</td>
                  <td>
                    {s.answer ?? '(none)'}
                    {s.answer === winner && <span class="sr-only"> (the winning answer)</span>}
                  </td>
                  <td class="num">{s.reward === null ? 'NaN' : s.reward.toFixed(3)}</td>
                  <td class="num">{s.visits}</td>
                  <td class="text">{s.text}</td>
                </tr>
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      {n > 2 * EDGE && (
        <button type="button" onClick={() => setAll(!all)}>
          {all ? 'Show the first and last states' : `Show all ${n} states`}
        </button>
      )}
    </figure>
  );
}
