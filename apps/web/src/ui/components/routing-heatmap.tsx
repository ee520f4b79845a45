// Routing at the re-mixed layers: one row per (layer, before/after), one cell per expert, shaded by its router
// weight, the experts top-k selects outlined. The last column lists the top experts in words, so the table
// reads well without the colours.
import type { LayerRouting } from '../api.js';

const topText = (r: LayerRouting) => r.selected.map((e) => `e${e} ${r.weights[e]!.toFixed(2)}`).join(', ');

function Row({ routing, when }: { routing: LayerRouting; when: 'before' | 'after' }) {
  const max = Math.max(...routing.weights, 1e-9);
  return (
    <tr class={when}>
      {when === 'before' ? (
        <th scope="rowgroup" rowSpan={2}>
          layer {routing.layer}
        </th>
      ) : null}
      <th scope="row" class="when">
        {when === 'before' ? 'base' : 're-mixed'}
      </th>
      {routing.weights.map((w, e) => {
        const selected = routing.selected.includes(e);
        return (
          <td
            key={e}
            class={`cell ${selected ? 'selected' : ''}`}
            style={{
              background: `rgba(59, 91, 219, ${(0.08 + 0.92 * (w / max)).toFixed(3)})`,
              color: w / max > 0.55 ? '#fff' : 'inherit',
            }}
            title={`layer ${routing.layer}, expert ${e}: ${w.toFixed(3)}${selected ? ' (selected)' : ''}`}
          >
            {w.toFixed(2)}
            {selected && <span class="sr-only"> selected</span>}
          </td>
        );
      })}
      <td class="top-experts">{topText(routing)}</td>
    </tr>
  );
}

export function RoutingHeatmap({ base, remixed }: { base: LayerRouting[]; remixed: LayerRouting[] }) {
  const experts = base[0]?.weights.length ?? 0;
  return (
    <figure class="routing">
      <figcaption>
        Routing at the last prompt token, per re-mixed layer: router weight per expert, base and re-mixed (the
        experts top-k picks outlined)
      </figcaption>
      <div class="table-wrap">
        <table data-testid="routing">
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Routing</th>
              {Array.from({ length: experts }, (_, e) => (
                <th scope="col" key={e} class="num">
                  e{e}
                </th>
              ))}
              <th scope="col">Top experts</th>
            </tr>
          </thead>
          {base.map((b, i) => (
            <tbody key={b.layer}>
              <Row routing={b} when="before" />
              {remixed[i] && <Row routing={remixed[i]!} when="after" />}
            </tbody>
          ))}
        </table>
      </div>
    </figure>
  );
}
