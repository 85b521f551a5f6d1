import { CONSOLE_SORTS, DEVICE_STATUSES, REVIEW_STATES, type ConsoleQuery, type DeviceSummary } from '../../central/types.ts';
import { html, queryString, type Html } from '../html.ts';
import { badge, page, when, type Viewer } from './layout.ts';

/** The device list across sites: restricted first, filters, search, sort, keyset pages, exports of the view. */

export interface ListView {
  query: Omit<ConsoleQuery, 'limit'>;
  devices: DeviceSummary[];
  nextCursor: string | null;
  makers: string[];
  brands: string[];
  kinds: string[];
}

const SORT_LABELS: Record<string, string> = { site: 'site, then IP', ip: 'IP', maker: 'maker, then model', 'first-seen': 'first seen, newest first' };

/** The view's parameters as a query string (the cursor left out unless asked). */
export function viewParams(q: ListView['query'], cursor?: string | null): Record<string, string | undefined> {
  return {
    status: q.status,
    site: q.site,
    maker: q.maker,
    brand: q.brand,
    kind: q.kind,
    review: q.review,
    agent: q.agent,
    q: q.q,
    sort: q.sort === 'site' ? undefined : q.sort,
    cursor: cursor ?? undefined,
  };
}

function select(name: string, label: string, current: string | undefined, options: readonly string[], all: string): Html {
  return html`<label>${label}<select name="${name}"><option value="">${all}</option>${options.map((o) => html`<option value="${o}" ${o === current ? html`selected` : ''}>${o}</option>`)}</select></label>`;
}

export function devicesPage(viewer: Viewer, v: ListView): string {
  const q = v.query;
  const params = viewParams(q);
  const body = html`<h1>Devices</h1>
<form class="filters" method="get" action="/devices">
<label>Search IP, MAC, model, serial<input type="search" name="q" value="${q.q ?? ''}" maxlength="200" placeholder="10.20.1.15, 44:19:b6, DS-2CD…"></label>
${select('status', 'Status', q.status, DEVICE_STATUSES, 'any')}
<label>Site<input type="text" name="site" value="${q.site ?? ''}" maxlength="200"></label>
${select('maker', 'Maker', q.maker, v.makers, 'any')}
${select('brand', 'Brand', q.brand, v.brands, 'any')}
${select('kind', 'Kind', q.kind, v.kinds, 'any')}
${select('review', 'Review', q.review, [...REVIEW_STATES, 'none'], 'any')}
<label>Agent<input type="text" name="agent" value="${q.agent ?? ''}" maxlength="128"></label>
<label>Sort<select name="sort">${CONSOLE_SORTS.map((s) => html`<option value="${s}" ${s === q.sort ? html`selected` : ''}>${SORT_LABELS[s] ?? s}</option>`)}</select></label>
<button class="primary" type="submit">Show</button>
<a href="/devices">Clear</a>
</form>
<p class="exports muted">Restricted first, then to review, under exception, false positive, replaced, clear. Export this view:
<a href="${`/devices.csv${queryString({ ...params })}`}" download>CSV</a>
<a href="${`/devices.json${queryString({ ...params })}`}" download>JSON</a></p>
${v.devices.length === 0
  ? html`<p class="note">No device matches.</p>`
  : html`<table class="devices">
<thead><tr><th>Status</th><th>IP</th><th>MAC</th><th>Site</th><th>Maker</th><th>Brand</th><th>Model</th><th>Kind</th><th>Rule</th><th>Review</th><th>Last seen</th></tr></thead>
<tbody>
${v.devices.map(
  (d) => html`<tr class="${d.status}"><td>${badge(d.status)}</td><td class="mono"><a href="${`/devices/${d.id}`}">${d.ip}</a></td><td class="mono">${d.mac ?? ''}</td><td class="wrap">${d.site ?? ''}</td><td class="wrap">${d.manufacturer ?? ''}</td><td class="wrap">${d.brand ?? ''}</td><td class="wrap">${d.model ?? ''}</td><td>${d.kind}</td><td class="mono wrap">${d.pack === null && d.rule === null ? '' : `${d.pack ?? ''}${d.rule === null ? '' : ` / ${d.rule}`}`}</td><td>${d.review === null ? '' : d.review.state}</td><td>${when(d.lastSeen)}</td></tr>`,
)}
</tbody></table>`}
<div class="pager">
${q.cursor === undefined ? '' : html`<a href="${`/devices${queryString(params)}`}">First page</a>`}
${v.nextCursor === null ? html`<span class="muted">End of the list.</span>` : html`<a class="button" rel="next" href="${`/devices${queryString(viewParams(q, v.nextCursor))}`}">Next ${v.devices.length} →</a>`}
</div>`;
  return page(viewer, { title: 'Devices', here: 'devices', body });
}
