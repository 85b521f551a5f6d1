import type { DeviceDetail } from '../../central/types.ts';
import { readDocument, statusWord, verdictSentence, type DocumentView } from '../device-view.ts';
import { html, safeUrl, type Html } from '../html.ts';
import { badge, canReview, page, when, type Viewer } from './layout.ts';

/** One device: the verdict in a sentence, the fingerprints and evidence behind it, conflicts, where it is, its history and reviews, and the review form. */

export function sourceLink(doc: DocumentView): Html {
  if (doc.source === null) return html`<span class="muted">no source recorded</span>`;
  const url = safeUrl(doc.source.url);
  const text = html`${doc.source.document}${doc.source.date === null ? '' : html`, ${doc.source.date}`}`;
  return url === undefined ? text : html`<a href="${url}" rel="noreferrer noopener" target="_blank">${text}</a>`;
}

export function evidenceTable(doc: DocumentView): Html {
  return doc.evidence.length === 0
    ? html`<p class="muted">No evidence in the latest report.</p>`
    : html`<table><thead><tr><th>Protocol</th><th>Field</th><th>Value</th></tr></thead><tbody>${doc.evidence.map(
        (e) => html`<tr><td>${e.protocol}</td><td class="mono">${e.field}</td><td class="mono wrap">${e.value}</td></tr>`,
      )}</tbody></table>`;
}

export function matchesTable(doc: DocumentView): Html {
  return doc.matches.length === 0
    ? html`<p class="muted">No fingerprint fired.</p>`
    : html`<table><thead><tr><th>Fingerprint</th><th>Protocol</th><th>Field</th><th>Value</th><th class="num">Weight</th><th>Tells</th><th>Claims</th></tr></thead><tbody>${doc.matches.map(
        (m) =>
          html`<tr><td class="mono wrap">${m.fingerprint}</td><td>${m.protocol}</td><td class="mono">${m.field}</td><td class="mono wrap">${m.value}</td><td class="num">${m.weight === null ? '' : m.weight.toFixed(2)}</td><td>${m.tell ?? ''}</td><td class="wrap">${m.claims}</td></tr>`,
      )}</tbody></table>`;
}

function reviewForm(viewer: Viewer, d: DeviceDetail): Html {
  if (!canReview(viewer.role)) return html`<p class="note">You are signed in as a ${viewer.role}: you can see this device's reviews but not add one.</p>`;
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const option = (value: string, label: string): Html => html`<label><input type="radio" name="state" value="${value}" required> ${label}</label>`;
  return html`<form class="review" method="post" action="${`/devices/${d.id}/review`}">
<input type="hidden" name="_csrf" value="${viewer.csrf}">
<fieldset><legend>Decision</legend>
${option('confirmed', 'Confirmed')}${option('exception', 'Exception')}${option('replaced', 'Replaced')}${option('false-positive', 'False positive')}
</fieldset>
<label class="until">Exception ends on (YYYY-MM-DD) <input type="date" name="until" min="${tomorrow}"></label>
<label>Note (an exception needs its justification)<br><textarea name="note" rows="3" cols="60" maxlength="2000"></textarea></label>
<div><button class="primary" type="submit">Record the decision</button></div>
</form>`;
}

export function devicePage(viewer: Viewer, d: DeviceDetail, o: { notice?: string; error?: string } = {}): string {
  const doc = readDocument(d.document);
  const title = `${d.ip}${d.manufacturer === null ? '' : ` · ${d.manufacturer}`}${d.model === null ? '' : ` ${d.model}`}`;
  const body = html`<h1>${title} ${badge(d.status)}</h1>
${o.notice === undefined ? '' : html`<p class="note" role="status">${o.notice}</p>`}
${o.error === undefined ? '' : html`<p class="error" role="alert">${o.error}</p>`}
<p class="verdict ${d.status}">${verdictSentence(d, doc)}</p>
<dl class="facts">
<dt>Status</dt><dd>${statusWord(d.status)} <span class="muted">(the agents' verdict: ${d.verdictStatus})</span></dd>
<dt>Maker of record</dt><dd>${d.manufacturer ?? html`<span class="muted">not established</span>`}${doc.confidence === null ? '' : html` <span class="muted">(confidence ${doc.confidence.toFixed(2)})</span>`}</dd>
<dt>Brand</dt><dd>${d.brand ?? ''}</dd>
<dt>Rule</dt><dd class="mono">${d.rule ?? doc.rule ?? ''}</dd>
<dt>Pack</dt><dd class="mono">${d.pack ?? doc.pack ?? ''}</dd>
${doc.entity === null ? '' : html`<dt>Covered entity</dt><dd>${doc.entity}</dd>`}
<dt>Source</dt><dd>${sourceLink(doc)}</dd>
<dt>Why</dt><dd>${d.reason}</dd>
</dl>
<h2>Where it is</h2>
<dl class="facts">
<dt>Site</dt><dd>${d.site ?? html`<span class="muted">none</span>`}</dd>
<dt>IP</dt><dd class="mono">${d.ip}${doc.addresses.filter((a) => a !== d.ip).map((a) => html`, ${a}`)}</dd>
<dt>MAC</dt><dd class="mono">${d.mac ?? ''}</dd>
<dt>Interfaces</dt><dd>${doc.interfaces.join(', ')}</dd>
<dt>Agents</dt><dd>${d.agentsSeen.map((a, i) => html`${i > 0 ? ', ' : ''}<span class="mono">${a.agent}</span> <span class="muted">(${a.firstSeen.slice(0, 10)} to ${a.lastSeen.slice(0, 10)})</span>`)}</dd>
<dt>Last seen by</dt><dd class="mono">${d.lastAgent}</dd>
<dt>First seen</dt><dd>${when(d.firstSeen)}</dd>
<dt>Last seen</dt><dd>${when(d.lastSeen)}</dd>
<dt>Model / firmware</dt><dd>${d.model ?? ''} ${d.firmware === null ? '' : html`<span class="muted">firmware</span> ${d.firmware}`}</dd>
<dt>Serial</dt><dd class="mono">${d.serial ?? ''}</dd>
${doc.identifiers.filter(([k, v]) => !(k === 'serial' && v.toLowerCase() === (d.serial ?? '').toLowerCase())).map(([k, v]) => html`<dt>${k}</dt><dd class="mono">${v}</dd>`)}
<dt>Protocols</dt><dd>${doc.protocols.join(', ')}</dd>
</dl>
<h2>Fingerprints that fired</h2>
${matchesTable(doc)}
<h2>Evidence</h2>
${doc.truncated ? html`<p class="muted">The agent cut this device's detail to fit one request.</p>` : ''}
${evidenceTable(doc)}
<h2>Conflicts</h2>
${doc.conflicts.length === 0 && doc.notes.length === 0 ? html`<p class="muted">None: no evidence names another maker.</p>` : html`<ul>${[...doc.conflicts, ...doc.notes].map((c) => html`<li>${c}</li>`)}</ul>`}
${doc.candidates.length > 1 ? html`<h3>Makers the evidence pointed at</h3><table><thead><tr><th>Maker</th><th class="num">Score</th><th>Fingerprints</th></tr></thead><tbody>${doc.candidates.map((c) => html`<tr><td>${c.manufacturer}</td><td class="num">${c.score === null ? '' : c.score.toFixed(2)}</td><td class="mono wrap">${c.fingerprints.join(', ')}</td></tr>`)}</tbody></table>` : ''}
<h2>Reviews</h2>
${d.reviews.length === 0
  ? html`<p class="muted">Not reviewed yet.</p>`
  : html`<table><thead><tr><th>When</th><th>Who</th><th>Decision</th><th>Until</th><th>Note</th></tr></thead><tbody>${[...d.reviews].reverse().map(
      (r) => html`<tr><td>${when(r.at)}</td><td>${r.by}</td><td>${r.state}</td><td>${r.until ?? ''}</td><td class="wrap">${r.note}</td></tr>`,
    )}</tbody></table>`}
${reviewForm(viewer, d)}
<h2>History</h2>
${d.history.length === 0
  ? html`<p class="muted">No changes recorded.</p>`
  : html`<table><thead><tr><th>When</th><th>Change</th><th>Before</th><th>After</th><th>By</th></tr></thead><tbody>${d.history.map(
      (h) => html`<tr><td>${when(h.at)}</td><td>${h.change}</td><td class="wrap">${h.before ?? ''}</td><td class="wrap">${h.after ?? ''}</td><td class="mono">${h.agent}</td></tr>`,
    )}</tbody></table>`}`;
  return page(viewer, { title, here: 'devices', body });
}
