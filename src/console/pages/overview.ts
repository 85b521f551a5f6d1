import type { DeviceSummary } from '../../central/types.ts';
import { barChart, lineChart } from '../charts.ts';
import { html, queryString, type Html } from '../html.ts';
import { EXPIRING_DAYS, SILENT_AFTER_MS, type Summary } from '../summary.ts';
import { page, when, type Viewer } from './layout.ts';

/** The overview: per site and overall counts, makers and brands, what is new, what expires, who is silent, and the chart over time. */

export interface OverviewView {
  summary: Summary;
  expiring: DeviceSummary[];
  series: { days: string[]; restricted: number[]; review: number[]; exception: number[] };
  /** When the counts were read (they are kept a little while). */
  asOf: string;
  /** Most site rows shown. */
  siteRows: number;
}

export function figures(s: Summary): Html {
  const f = (cls: string, n: number, what: string, href?: string): Html =>
    html`<div class="figure ${cls}"><div class="n">${href === undefined ? n.toLocaleString('en') : html`<a href="${href}">${n.toLocaleString('en')}</a>`}</div><div class="what">${what}</div></div>`;
  const list = (status: string): string => `/devices${queryString({ status, site: s.site ?? undefined })}`;
  return html`<div class="figures">
${f('restricted', s.counts.restricted, 'restricted', list('restricted'))}
${f('review', s.counts.review, 'to review', list('review'))}
${f('clear', s.counts.clear, 'clear', list('clear'))}
${f('exception', s.counts.exception, 'under exception', list('exception'))}
${f('', s.counts['false-positive'] + s.counts.replaced, 'false positive or replaced')}
${f('restricted', s.fresh.restricted, `new restricted since the last sweep (${s.freshTotal} new in all)`)}
${f('', s.silent.length, `agents not heard from in ${SILENT_AFTER_MS / 3600_000} h (of ${s.agents.length})`)}
</div>`;
}

export function makerCharts(s: Summary): Html {
  const top = <T extends { name: string; restricted: number }>(rows: T[]): Array<{ label: string; value: number }> =>
    rows
      .filter((r) => r.restricted > 0)
      .slice(0, 10)
      .map((r) => ({ label: r.name, value: r.restricted }));
  return html`<div class="cols">
<section class="panel"><h2>Restricted by maker of record</h2>${barChart({ label: 'Restricted devices by maker of record', bars: top(s.byMaker) })}</section>
<section class="panel"><h2>Restricted by brand</h2>${barChart({ label: 'Restricted devices by brand', bars: top(s.byBrand) })}</section>
</div>`;
}

export function overTime(v: OverviewView['series'], scope: string): Html {
  return lineChart({
    label: `Restricted devices over time, ${scope}`,
    days: v.days,
    series: [
      { name: 'restricted', cls: 's-restricted', values: v.restricted },
      { name: 'to review', cls: 's-review', values: v.review },
      { name: 'under exception', cls: 's-exception', values: v.exception },
    ],
  });
}

export function overviewPage(viewer: Viewer, v: OverviewView): string {
  const s = v.summary;
  const scope = s.site === null ? 'all sites' : `site ${s.site}`;
  const sites = s.sites.slice(0, v.siteRows);
  const body = html`<h1>${s.site === null ? 'Overview: every site' : html`Site ${s.site}`}</h1>
<p class="muted">${s.total.toLocaleString('en')} devices${s.site === null ? html` at ${s.sites.length.toLocaleString('en')} sites` : html` · <a href="/">all sites</a> · <a href="${`/devices${queryString({ site: s.site })}`}">its devices</a> · <a href="${`/report${queryString({ site: s.site })}`}">its report</a>`} · counts as of ${when(v.asOf)}</p>
${figures(s)}
<section class="panel"><h2>Restricted devices over time</h2>${overTime(v.series, scope)}</section>
${makerCharts(s)}
${s.site === null
  ? html`<h2>Sites</h2>
<table><thead><tr><th>Site</th><th class="num">Restricted</th><th class="num">To review</th><th class="num">Exceptions</th><th class="num">Clear</th><th class="num">New since last sweep</th><th class="num">Agents</th><th>Last report</th></tr></thead>
<tbody>${sites.map(
      (l) => html`<tr><td class="wrap"><a href="${`/${queryString({ site: l.site })}`}">${l.site === '' ? '(no site)' : l.site}</a></td><td class="num"><a href="${`/devices${queryString({ site: l.site, status: 'restricted' })}`}">${l.counts.restricted}</a></td><td class="num">${l.counts.review}</td><td class="num">${l.counts.exception}</td><td class="num">${l.counts.clear}</td><td class="num">${Object.values(l.fresh).reduce((a, b) => a + b, 0)}</td><td class="num">${l.agents}</td><td>${when(l.lastReportAt)}</td></tr>`,
    )}</tbody></table>
${s.sites.length > sites.length ? html`<p class="muted">The ${sites.length} sites with the most restricted devices; ${s.sites.length - sites.length} more in the <a href="/devices">device list</a> (filter by site).</p>` : ''}`
  : ''}
<div class="cols">
<section><h2>Exceptions ending within ${EXPIRING_DAYS} days</h2>
${v.expiring.length === 0
  ? html`<p class="muted">None.</p>`
  : html`<table><thead><tr><th>Device</th><th>Site</th><th>Until</th><th>Granted by</th></tr></thead><tbody>${v.expiring.map(
      (d) => html`<tr><td><a href="${`/devices/${d.id}`}">${d.ip}</a> <span class="muted">${d.manufacturer ?? ''} ${d.model ?? ''}</span></td><td class="wrap">${d.site ?? ''}</td><td>${d.review?.until ?? ''}</td><td>${d.review?.by ?? ''}</td></tr>`,
    )}</tbody></table>`}
</section>
<section><h2>Agents not heard from in ${SILENT_AFTER_MS / 3600_000} hours</h2>
${s.silent.length === 0
  ? html`<p class="muted">Every agent has reported within ${SILENT_AFTER_MS / 3600_000} hours.</p>`
  : html`<table><thead><tr><th>Agent</th><th>Site</th><th>Last report</th></tr></thead><tbody>${s.silent.slice(0, 200).map(
      (a) => html`<tr><td class="mono wrap">${a.agent}</td><td class="wrap">${a.site ?? ''}</td><td>${when(a.lastReportAt)}</td></tr>`,
    )}</tbody></table>`}
</section>
</div>`;
  return page(viewer, { title: s.site === null ? 'Overview' : `Site ${s.site}`, here: 'overview', body });
}
