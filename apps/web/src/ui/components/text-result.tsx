import type { TextResult } from '../api.js';
import { ChainView } from './chain-view.js';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** A text-answer run: the answer, the votes behind it, the chain's acceptance and what it cost. */
export function TextResultView({ result }: { result: TextResult }) {
  const chain = result.acceptanceRate !== null && result.steps !== null;
  const weighted = result.strategy === 'weighted-majority-vote';
  return (
    <section class="result" aria-label={`${result.plugin} result`}>
      <div class="predictions">
        <div class="prediction after">
          <h3>Answer</h3>
          <p class="big" data-testid="answer">
            {result.answer ?? '(none)'}
          </p>
          <p class="muted small">{result.strategy}</p>
        </div>
        {chain && (
          <div class="prediction">
            <h3>Acceptance</h3>
            <p class="big">{pct(result.acceptanceRate!)}</p>
            <p class="muted small">
              {Math.round(result.acceptanceRate! * result.steps!)} of {result.steps} steps accepted
            </p>
          </div>
        )}
        {chain && (
          <div class="prediction">
            <h3>Chain states</h3>
            <p class="big">{result.distinctStates}</p>
            <p class="muted small">distinct of {result.outputs} states voted over</p>
          </div>
        )}
      </div>
      <figure class="top5 votes">
        <figcaption>
          Votes over {result.outputs} {chain ? 'chain states' : 'samples'}
        </figcaption>
        <ol>
          {result.votes.slice(0, 10).map((v, i) => {
            const share = weighted ? v.weight : v.count / result.outputs;
            return (
              <li key={String(v.answer)} class={i === 0 ? 'first' : ''}>
                <span class="name">{v.answer ?? '(none)'}</span>
                <span class="track" aria-hidden="true">
                  <span class="fill" style={{ width: pct(share) }} />
                </span>
                <span class="pct">
                  {v.count} · {pct(share)}
                </span>
              </li>
            );
          })}
        </ol>
      </figure>
      {result.chain && <ChainView chain={result.chain} winner={result.answer} />}
      <figure class="completion">
        <figcaption>
          The output behind the answer{result.reward !== null ? ` (reward ${result.reward.toFixed(3)})` : ''}
        </figcaption>
        <pre>{result.completion}</pre>
      </figure>
      {result.warnings.length > 0 && (
        <ul class="warn">
          {result.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <dl class="details">
        {Object.entries(result.cost).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v >= 1e6 ? v.toExponential(2) : v}</dd>
          </div>
        ))}
        <div>
          <dt>time</dt>
          <dd>{result.ms.toFixed(0)} ms</dd>
        </div>
      </dl>
    </section>
  );
}
