import { html } from '../html.ts';
import { document } from './layout.ts';

/** The sign-in form: inputs named `username` and `password` (a public contract), a double-submit CSRF token. */
export function loginPage(o: { csrf: string; next: string; error?: string; username?: string }): string {
  return document({
    title: 'Sign in',
    body: html`<main>
<form class="login" method="post" action="/login">
<h1>camsweep console</h1>
${o.error === undefined ? '' : html`<p class="error" role="alert">${o.error}</p>`}
<input type="hidden" name="_csrf" value="${o.csrf}">
<input type="hidden" name="next" value="${o.next}">
<label for="username">User name</label>
<input id="username" name="username" type="text" autocomplete="username" required maxlength="64" value="${o.username ?? ''}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<button class="primary" type="submit">Sign in</button>
</form>
</main>`,
  });
}
