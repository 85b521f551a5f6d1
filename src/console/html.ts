/**
 * HTML that escapes by default. Every page of the console is written with the `html` tag:
 * whatever is interpolated is escaped (`& < > " '`), unless it is itself the result of `html`
 * (or `raw`, kept for the few constants that are markup). Device strings are hostile (a device
 * may call itself `<script>`): they can only ever arrive as text.
 *
 * Interpolations go in element content or in double-quoted attribute values, never in an
 * unquoted attribute, a tag name, an event handler, a `<script>` or a `<style>` (a test reads
 * the console's sources for that). URLs that come from data go through `safeUrl` first.
 */

export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

export type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => ESCAPES[c]!);
}

function render(v: Value): string {
  if (v instanceof Html) return v.text;
  if (v === null || v === undefined || v === false || v === true) return '';
  if (Array.isArray(v)) return (v as readonly Value[]).map(render).join('');
  return escapeHtml(String(v as string | number));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Markup that is ours (a constant), never data. */
export const raw = (markup: string): Html => new Html(markup);

/** An http(s) URL as given, or undefined (no `javascript:`, `data:` or relative URLs from data). */
export function safeUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length > 2000) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** A query string from parameters, the empty ones left out. */
export function queryString(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
