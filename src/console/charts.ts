import { html, type Html } from './html.ts';

/**
 * Charts drawn on the server as SVG (docs/decisions/console.md): no script, nothing to
 * download, the same markup on the page, in the printed report and in its PDF. Colours come
 * from the stylesheet's classes (no style attributes: the Content-Security-Policy allows none).
 * Every label is text through `html`, so escaped.
 */

export interface Series {
  name: string;
  /** A class of the stylesheet: `s-restricted`, `s-review`... */
  cls: string;
  values: number[];
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The largest "nice" tick step giving about `ticks` ticks up to max. */
function niceMax(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return { top: Math.ceil(max / step) * step, step };
}

export function lineChart(o: { label: string; days: readonly string[]; series: readonly Series[]; width?: number; height?: number }): Html {
  const width = o.width ?? 720;
  const height = o.height ?? 220;
  const pad = { left: 48, right: 24, top: 12, bottom: 28 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const max = Math.max(0, ...o.series.flatMap((s) => s.values));
  const { top, step } = niceMax(max);
  const n = o.days.length;
  const x = (i: number): number => pad.left + (n <= 1 ? w / 2 : (i * w) / (n - 1));
  const y = (v: number): number => pad.top + h - (v / top) * h;
  const ticks: number[] = [];
  for (let v = 0; v <= top + 1e-9; v += step) ticks.push(v);
  const labelEvery = Math.max(1, Math.ceil(n / 6));
  const xLabels = o.days.map((d, i) => ({ d, i })).filter(({ i }) => i % labelEvery === 0 || i === n - 1);
  const last = (s: Series): number => s.values[s.values.length - 1] ?? 0;
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${o.label}" xmlns="http://www.w3.org/2000/svg">
<title>${o.label}</title>
${ticks.map((v) => html`<line class="grid" x1="${pad.left}" x2="${width - pad.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="tick" x="${pad.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`)}
${xLabels.map(({ d, i }) => html`<text class="tick" x="${x(i).toFixed(1)}" y="${height - 8}" text-anchor="middle">${d.slice(5)}</text>`)}
${n === 0 ? html`<text class="empty" x="${width / 2}" y="${height / 2}" text-anchor="middle">no counts recorded yet</text>` : ''}
${o.series.map((s) =>
  n === 1
    ? html`<circle class="${s.cls}" cx="${x(0).toFixed(1)}" cy="${y(s.values[0] ?? 0).toFixed(1)}" r="3"><title>${s.name}: ${fmt(s.values[0] ?? 0)}</title></circle>`
    : html`<polyline class="line ${s.cls}" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"><title>${s.name}: ${fmt(last(s))} on ${o.days[n - 1] ?? ''}</title></polyline>`,
)}
</svg>
<p class="legend">${o.series.map((s) => html`<span class="key ${s.cls}">${s.name}</span> `)}</p>`;
}

export function barChart(o: { label: string; bars: ReadonlyArray<{ label: string; value: number; cls?: string }>; width?: number }): Html {
  const width = o.width ?? 480;
  const row = 22;
  const labelW = 150;
  const height = Math.max(1, o.bars.length) * row + 4;
  const max = Math.max(1, ...o.bars.map((b) => b.value));
  const room = width - labelW - 50;
  return html`<svg class="chart bars" viewBox="0 0 ${width} ${height}" role="img" aria-label="${o.label}" xmlns="http://www.w3.org/2000/svg">
<title>${o.label}</title>
${o.bars.length === 0 ? html`<text class="empty" x="4" y="16">none</text>` : ''}
${o.bars.map((b, i) => {
  const yy = i * row + 2;
  const bw = Math.max(1, (b.value / max) * room);
  const label = b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label;
  return html`<text class="tick" x="${labelW - 6}" y="${yy + 15}" text-anchor="end">${label}</text><rect class="bar ${b.cls ?? 's-restricted'}" x="${labelW}" y="${yy + 3}" width="${bw.toFixed(1)}" height="${row - 8}"><title>${b.label}: ${b.value}</title></rect><text class="value" x="${(labelW + bw + 4).toFixed(1)}" y="${yy + 15}">${b.value}</text>`;
})}
</svg>`;
}
