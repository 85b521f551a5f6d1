import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CONSOLE_JS } from './assets/script.ts';
import { CONSOLE_CSS } from './assets/styles.ts';

/**
 * The console's static files: built into the code, named by the hash of their content (cached
 * for a year, immutable: a new version has a new name), gzipped once at start.
 */

export interface Asset {
  path: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#101828"/><circle cx="8" cy="8" r="4" fill="none" stroke="#f04438" stroke-width="2"/><circle cx="8" cy="8" r="1.3" fill="#f04438"/></svg>`;

function asset(name: string, ext: string, type: string, text: string): Asset {
  const body = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/assets/${name}.${hash}.${ext}`, type, body, gzip: gzipSync(body, { level: 9 }), etag: `"${hash}"` };
}

export interface Assets {
  css: Asset;
  js: Asset;
  icon: Asset;
  byPath: Map<string, Asset>;
}

function build(): Assets {
  const css = asset('console', 'css', 'text/css; charset=utf-8', CONSOLE_CSS);
  const js = asset('console', 'js', 'text/javascript; charset=utf-8', CONSOLE_JS);
  const icon = asset('icon', 'svg', 'image/svg+xml', ICON_SVG);
  return { css, js, icon, byPath: new Map([css, js, icon].map((a) => [a.path, a])) };
}

/** Built once when the module loads: constants, never changed. */
export const ASSETS: Readonly<Assets> = Object.freeze(build());
