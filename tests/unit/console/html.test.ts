import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { barChart, lineChart } from '../../../src/console/charts.ts';
import { escapeHtml, html, queryString, raw, safeUrl } from '../../../src/console/html.ts';

describe('html templates', () => {
  it('escape every interpolated value unless it is markup of their own', () => {
    const hostile = '<script>alert(1)</script>"\'&';
    expect(html`<p title="${hostile}">${hostile}</p>`.text).toBe('<p title="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;">&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;</p>');
    expect(html`<ul>${['<a>', html`<li>${'<b>'}</li>`]}</ul>`.text).toBe('<ul>&lt;a&gt;<li>&lt;b&gt;</li></ul>');
    expect(html`${null}${undefined}${false}${true}${0}`.text).toBe('0');
    expect(html`${raw('<br>')}`.text).toBe('<br>');
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });

  it('lets only http(s) URLs from data become links', () => {
    expect(safeUrl('https://www.congress.gov/x?a=1')).toBe('https://www.congress.gov/x?a=1');
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', '/relative', '//evil.example/x', 'vbscript:x', 42, null, `https://x/${'a'.repeat(3000)}`]) expect(safeUrl(bad)).toBeUndefined();
  });

  it('builds query strings without the empty parameters', () => {
    expect(queryString({ a: 'x y', b: undefined, c: '' })).toBe('?a=x+y');
    expect(queryString({})).toBe('');
  });

  it('draws charts whose labels are text', () => {
    const svg = lineChart({ label: '<x>', days: ['2026-12-01', '2026-12-02'], series: [{ name: '<script>', cls: 's-restricted', values: [1, 3] }] }).text;
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toMatch(/<polyline class="line s-restricted" points="[\d.]+,[\d.]+ [\d.]+,[\d.]+">/u);
    expect(svg).not.toMatch(/style=/u);
    const bars = barChart({ label: 'b', bars: [{ label: '<img src=x onerror=alert(1)>', value: 2 }] }).text;
    expect(bars).not.toContain('<img');
    expect(lineChart({ label: 'none', days: [], series: [] }).text).toContain('no counts recorded yet');
  });

  it('is how every console page is written: no value interpolated into an unquoted attribute, no inline script or handler, no style attribute', () => {
    const dir = new URL('../../../src/console/', import.meta.url).pathname;
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      // The code, less its comments (which may well name what the code never does).
      const text = readFileSync(path.join(dir, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//gu, '')
        .replace(/^\s*\/\/.*$/gmu, '');
      expect(text, f).not.toMatch(/\s[A-Za-z-]+=\$\{/u);
      expect(text, f).not.toMatch(/\son[a-z]+="/u);
      expect(text, f).not.toMatch(/<script>(?!alert)/u);
      expect(text, f).not.toMatch(/\sstyle="/u);
      expect(text, f).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/u);
    }
  });
});
