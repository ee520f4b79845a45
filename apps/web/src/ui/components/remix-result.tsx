// An expert-remix run (C3PO): the answer with the model's own routing and with the re-mixed one, each
// option's probability under both, the neighbours the re-mix came from, and the routing before and after.
import type { RemixResult } from '../api.js';
import { RoutingHeatmap } from './routing-heatmap.js';
import { Top5Bars } from './top5-bars.js';

const byProb = (rows: { label: string; prob: number }[]) => [...rows].sort((a, b) => b.prob - a.prob);

export function RemixResultView({ result }: { result: RemixResult }) {
  const changed = result.base.answer !== result.answer;
  return (
    <section class="result" aria-label={`${result.plugin} result`}>
      <div class="predictions">
        <div class="prediction">
          <h3>Base routing</h3>
          <p class="big" data-testid="base-answer">
            {result.base.answer ?? '(none)'}
          </p>
          <p class="muted small">the model’s own router</p>
        </div>
        <div class="prediction after">
          <h3>Re-mixed routing</h3>
          <p class="big" data-testid="remixed-answer">
            {result.answer ?? '(none)'}
          </p>
          <p class="muted small">
            {result.variant}
            {result.alpha !== undefined && (
              <>
                {' '}
                · α = <span data-testid="alpha">{result.alpha}</span>
              </>
            )}
          </p>
        </div>
        <p class={`verdict ${changed ? 'changed' : ''}`} role="status">
          {changed ? 'The re-mix changed the answer.' : 'Same answer with both routings.'}
        </p>
      </div>
      {result.probabilities && (
        <div class="bars two">
          <Top5Bars top5={byProb(result.probabilities.base)} title="Options, base routing" />
          <Top5Bars top5={byProb(result.probabilities.remixed)} title="Options, re-mixed routing" />
        </div>
      )}
      <figure class="neighbours">
        <figcaption>
          The {result.neighbours.length} neighbours the re-mix was built from (correctly answered references,
          most similar first)
        </figcaption>
        <div class="table-wrap">
          <table data-testid="neighbours">
            <thead>
              <tr>
                <th scope="col">Reference question</th>
                <th scope="col">Answer</th>
                <th scope="col" class="num">
                  Similarity
                </th>
                <th scope="col" class="num">
                  Kernel weight
                </th>
              </tr>
            </thead>
            <tbody>
              {result.neighbours.map((n) => (
                <tr key={n.key}>
                  <td class="text">{n.question ?? n.key}</td>
                  <td>{n.answer ?? ''}</td>
                  <td class="num">{n.similarity.toFixed(3)}</td>
                  <td class="num weight">
                    <span class="track" aria-hidden="true">
                      <span class="fill" style={{ width: `${(100 * n.weight).toFixed(1)}%` }} />
                    </span>
                    {n.weight.toFixed(3)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </figure>
      <RoutingHeatmap base={result.routing.base} remixed={result.routing.remixed} />
      <dl class="details">
        <div>
          <dt>backend</dt>
          <dd>{result.backend}</dd>
        </div>
        {Object.entries(result.ms).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v.toFixed(0)} ms</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
