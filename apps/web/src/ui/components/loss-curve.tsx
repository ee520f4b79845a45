// The training loss per step as a small line plot; its label says what the picture shows, for screen readers.
export function LossCurve({ losses, total, title }: { losses: number[]; total?: number; title: string }) {
  if (losses.length === 0) return null;
  const W = 320;
  const H = 110;
  const pad = { l: 38, r: 8, t: 8, b: 20 };
  const steps = Math.max(total ?? losses.length, losses.length, 2);
  const lo = Math.min(...losses);
  const hi = Math.max(...losses);
  const span = hi - lo || 1;
  const x = (i: number) => pad.l + ((W - pad.l - pad.r) * i) / (steps - 1);
  const y = (v: number) => pad.t + (H - pad.t - pad.b) * (1 - (v - lo) / span);
  const points = losses.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const summary = `${title}: ${losses.length} step${losses.length === 1 ? '' : 's'}${total ? ` of ${total}` : ''}, first ${losses[0]!.toFixed(4)}, last ${losses.at(-1)!.toFixed(4)}, lowest ${lo.toFixed(4)}`;
  return (
    <figure class="loss-curve">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <line class="axis" x1={pad.l} y1={H - pad.b} x2={W - pad.r} y2={H - pad.b} />
        <line class="axis" x1={pad.l} y1={pad.t} x2={pad.l} y2={H - pad.b} />
        <text class="tick" x={pad.l - 4} y={pad.t + 8} text-anchor="end">
          {hi.toFixed(2)}
        </text>
        <text class="tick" x={pad.l - 4} y={H - pad.b} text-anchor="end">
          {lo.toFixed(2)}
        </text>
        <text class="tick" x={pad.l} y={H - 5}>
          1
        </text>
        <text class="tick" x={W - pad.r} y={H - 5} text-anchor="end">
          {steps}
        </text>
        {losses.length > 1 ? (
          <polyline class="line" points={points} />
        ) : (
          <circle class="dot" cx={x(0)} cy={y(losses[0]!)} r={2.5} />
        )}
      </svg>
    </figure>
  );
}
