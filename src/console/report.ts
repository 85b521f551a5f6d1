import type { CentralStore } from '../central/store/store.ts';
import type { DeviceSummary } from '../central/types.ts';
import { BASE_CSS } from './assets/styles.ts';
import { readDocument, type DocumentView } from './device-view.ts';
import { html, raw, safeUrl, type Html } from './html.ts';
import { figures, makerCharts, overTime } from './pages/overview.ts';
import { badge, when } from './pages/layout.ts';
import { sourceLink } from './pages/device.ts';
import { series, summarise, type Summary } from './summary.ts';

/**
 * The compliance report, per site or for the whole estate: summary figures, charts, the rules
 * with their legal sources, every restricted device with its evidence, and the exceptions in
 * force. One self-contained HTML document (its styles inside, print styles included, no
 * script, nothing to fetch), served by the console, written by `camsweep central report`, and
 * printed to PDF by Chromium (pdf.ts).
 */

export interface ReportData {
  site: string | null;
  generatedAt: string;
  version: string;
  summary: Summary;
  series: ReturnType<typeof series>;
  restricted: Array<{ device: DeviceSummary; doc: DocumentView }>;
  exceptions: Array<DeviceSummary & { note: string }>;
}

/** The days the chart covers. */
const CHART_DAYS = 90;

export async function reportData(store: CentralStore, site: string | null, now: number, version: string): Promise<ReportData> {
  const today = new Date(now).toISOString().slice(0, 10);
  const from = new Date(now - (CHART_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const overview = await store.console.overview();
  const restricted: ReportData['restricted'] = [];
  for await (const chunk of store.console.restricted(site ?? undefined)) for (const r of chunk) restricted.push({ device: r.device, doc: readDocument(r.document) });
  return {
    site,
    generatedAt: new Date(now).toISOString(),
    version,
    summary: summarise(overview, site, now),
    series: series(await store.console.dailyCounts(site ?? undefined, from), from, today),
    restricted,
    exceptions: await store.console.exceptions({ ...(site === null ? {} : { site }), limit: 100_000 }),
  };
}

export const PRINT_CSS = String.raw`
body { background: #fff; max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
header.report { border-bottom: 3px solid #101828; margin-bottom: 1rem; }
.device { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .6rem 0; break-inside: avoid; }
.device h3 { margin: 0 0 .3rem; }
.device table { font-size: .85rem; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
@page { size: A4; margin: 14mm 12mm 16mm; @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; color: #5b6570; } }
@media print {
  html { font-size: 10.5pt; background: #fff; }
  body { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  thead { display: table-header-group; }
  tr, .figure, .chart { break-inside: avoid; }
  h2 { break-after: avoid; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .noprint { display: none; }
}
`;

function rulesTable(rows: ReportData['restricted']): Html {
  const rules = new Map<string, { pack: string; rule: string; entity: string | null; doc: DocumentView; devices: number }>();
  for (const { device, doc } of rows) {
    const key = `${device.pack ?? doc.pack ?? ''}\u0000${device.rule ?? doc.rule ?? ''}`;
    const e = rules.get(key) ?? { pack: device.pack ?? doc.pack ?? '', rule: device.rule ?? doc.rule ?? '', entity: doc.entity, doc, devices: 0 };
    e.devices += 1;
    rules.set(key, e);
  }
  if (rules.size === 0) return html`<p class="muted">No restricted device, so no rule applies.</p>`;
  return html`<table><thead><tr><th>Pack</th><th>Rule</th><th>Covered entity</th><th>Legal source</th><th class="num">Devices</th></tr></thead><tbody>${[...rules.values()]
    .sort((a, b) => b.devices - a.devices)
    .map(
      (r) =>
        html`<tr><td class="mono">${r.pack}</td><td class="mono">${r.rule}</td><td>${r.entity ?? ''}</td><td>${sourceLink(r.doc)}${safeUrl(r.doc.source?.url) === undefined ? '' : html`<br><span class="muted mono wrap">${safeUrl(r.doc.source?.url)}</span>`}</td><td class="num">${r.devices}</td></tr>`,
    )}</tbody></table>`;
}

function deviceBlock({ device: d, doc }: ReportData['restricted'][number]): Html {
  return html`<section class="device">
<h3>${d.ip} · ${d.manufacturer ?? 'maker not established'}${d.model === null ? '' : ` ${d.model}`} ${badge(d.status)}</h3>
<p>Site <b>${d.site ?? '(none)'}</b> · MAC <span class="mono">${d.mac ?? '-'}</span> · brand ${d.brand ?? '-'} · rule <span class="mono">${d.pack ?? ''} / ${d.rule ?? ''}</span> · first seen ${when(d.firstSeen)} · last seen ${when(d.lastSeen)} · agents <span class="mono">${d.agents.join(', ')}</span></p>
<p>${d.reason}</p>
${doc.evidence.length === 0 ? html`<p class="muted">No evidence in the latest report.</p>` : html`<table><thead><tr><th>Protocol</th><th>Field</th><th>Value</th></tr></thead><tbody>${doc.evidence.map((e) => html`<tr><td>${e.protocol}</td><td class="mono">${e.field}</td><td class="mono wrap">${e.value}</td></tr>`)}</tbody></table>`}
${doc.conflicts.length === 0 ? '' : html`<p class="muted">Conflicts: ${doc.conflicts.join('; ')}</p>`}
</section>`;
}

export function renderReport(data: ReportData, o: { nonce?: string; served?: boolean } = {}): string {
  const s = data.summary;
  const scope = data.site === null ? 'the whole estate' : `site ${data.site}`;
  const nonce = o.nonce === undefined ? '' : o.nonce;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance report: ${scope} · camsweep</title>
<style nonce="${nonce}">${raw(`${BASE_CSS}${PRINT_CSS}`)}</style>
</head>
<body>
<header class="report">
<h1>Restricted surveillance devices: ${scope}</h1>
<p class="muted">Compliance report generated ${when(data.generatedAt)} UTC by camsweep ${data.version}${o.served === true ? html` · <a class="noprint" href="/">back to the console</a>` : ''}</p>
</header>
<h2>Summary</h2>
${figures(s)}
<p>${s.total.toLocaleString('en')} devices known${data.site === null ? html` at ${s.sites.length} sites` : ''}: ${s.counts.restricted} restricted, ${s.counts.review} to review, ${s.counts.exception} under an exception in force, ${s.counts.clear} clear.</p>
<h2>Restricted devices over time</h2>
${overTime(data.series, scope)}
${makerCharts(s)}
${data.site === null && s.sites.length > 0
  ? html`<h2>Sites</h2><table><thead><tr><th>Site</th><th class="num">Restricted</th><th class="num">To review</th><th class="num">Exceptions</th><th class="num">Clear</th></tr></thead><tbody>${s.sites
      .filter((l) => l.counts.restricted + l.counts.review + l.counts.exception > 0)
      .map((l) => html`<tr><td>${l.site === '' ? '(no site)' : l.site}</td><td class="num">${l.counts.restricted}</td><td class="num">${l.counts.review}</td><td class="num">${l.counts.exception}</td><td class="num">${l.counts.clear}</td></tr>`)}</tbody></table>`
  : ''}
<h2>Rules and their legal sources</h2>
${rulesTable(data.restricted)}
<h2>Exceptions in force (${data.exceptions.length})</h2>
${data.exceptions.length === 0
  ? html`<p class="muted">None.</p>`
  : html`<table><thead><tr><th>Device</th><th>Site</th><th>Maker</th><th>Until</th><th>Granted by</th><th>Justification</th></tr></thead><tbody>${data.exceptions.map(
      (d) => html`<tr><td class="mono">${d.ip}</td><td>${d.site ?? ''}</td><td>${d.manufacturer ?? ''} ${d.model ?? ''}</td><td>${d.review?.until ?? ''}</td><td>${d.review?.by ?? ''} <span class="muted">${d.review?.at.slice(0, 10) ?? ''}</span></td><td class="wrap">${d.note}</td></tr>`,
    )}</tbody></table>`}
<h2>Every restricted device, with its evidence (${data.restricted.length})</h2>
${data.restricted.length === 0 ? html`<p class="muted">None.</p>` : data.restricted.map(deviceBlock)}
</body>
</html>
`.text;
}
