import { html } from '../html.ts';
import { document, page, type Viewer } from './layout.ts';

/** A page saying what went wrong (403, 404, 400, 429...), inside the frame when someone is signed in. */
export function problemPage(viewer: Viewer | undefined, title: string, message: string): string {
  const body = html`<h1>${title}</h1><p class="error" role="alert">${message}</p><p><a href="/">Back to the overview</a></p>`;
  return viewer === undefined ? document({ title, body: html`<main>${body}</main>` }) : page(viewer, { title, here: null, body });
}
