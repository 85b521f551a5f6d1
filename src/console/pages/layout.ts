import type { Role } from '../../central/types.ts';
import { ASSETS } from '../assets.ts';
import { html, type Html } from '../html.ts';

/** The frame of every console page: head (same-origin stylesheet and script only), navigation, who is signed in. */

export interface Viewer {
  name: string;
  role: Role;
  csrf: string;
}

export type Section = 'overview' | 'devices' | 'report' | null;

export const canReview = (role: Role): boolean => role === 'reviewer' || role === 'admin';

export function document(o: { title: string; body: Html; bodyClass?: string }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${o.title} · camsweep</title>
<link rel="icon" href="${ASSETS.icon.path}" type="image/svg+xml">
<link rel="stylesheet" href="${ASSETS.css.path}">
<script src="${ASSETS.js.path}" defer></script>
</head>
<body class="${o.bodyClass ?? ''}">
${o.body}
</body>
</html>
`.text;
}

export function page(viewer: Viewer, o: { title: string; here: Section; body: Html }): string {
  const nav = (href: string, name: Section, label: string): Html => html`<a href="${href}" class="${o.here === name ? 'here' : ''}">${label}</a>`;
  return document({
    title: o.title,
    body: html`<header class="top">
<a class="brand" href="/">camsweep</a>
<nav>${nav('/', 'overview', 'Overview')}${nav('/devices', 'devices', 'Devices')}${nav('/report', 'report', 'Report')}</nav>
<div class="who"><span>${viewer.name} <span class="muted">(${viewer.role})</span></span>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${viewer.csrf}"><button type="submit">Sign out</button></form></div>
</header>
<main>
${o.body}
</main>`,
  });
}

export const badge = (status: string): Html => html`<span class="badge b-${status}">${status}</span>`;

/** An ISO time as `YYYY-MM-DD HH:MM` UTC (the full time in the title). */
export const when = (iso: string | null): Html => (iso === null ? html`<span class="muted">never</span>` : html`<time datetime="${iso}" title="${iso}">${iso.slice(0, 16).replace('T', ' ')}</time>`);
