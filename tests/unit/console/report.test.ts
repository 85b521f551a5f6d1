import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../../src/central/store/embedded.ts';
import { readDocument, verdictSentence } from '../../../src/console/device-view.ts';
import { series } from '../../../src/console/summary.ts';
import { HOSTILE_IMG, HOSTILE_SCRIPT, seedEstate, siteDevices, siteName } from '../../helpers/console-estate.ts';
import { cli } from '../../helpers/console-serve.ts';

/** The report (`camsweep central report`) and the pure pieces behind the pages. */

describe('camsweep central report', () => {
  let dir: string;
  let store: string[];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'camsweep-report-'));
    const s = openEmbeddedStore(path.join(dir, 'central'));
    await seedEstate(s, { sites: 2, perSite: 12, days: 2, now: Date.now(), hostile: true });
    await s.close();
    store = ['--data-dir', path.join(dir, 'central')];
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the HTML report of a site to stdout: figures, rules with their sources, every restricted device with its evidence, strings escaped', async () => {
    const r = await cli(['central', 'report', '--site', siteName(0), ...store]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^<!doctype html>/u);
    expect(r.out).toContain(`<h1>Restricted surveillance devices: site ${siteName(0)}</h1>`);
    expect(r.out).toContain('Public Law 115-232, section 889');
    expect(r.out).toContain('https://www.congress.gov/115/plaws/publ232/PLAW-115publ232.pdf');
    expect(r.out).toContain('@media print');
    // The styles are ours, written as they are (a quote escaped as &quot; is no CSS: no page numbers, no fonts).
    const style = /<style nonce="[^"]*">([\s\S]*?)<\/style>/u.exec(r.out)![1]!;
    expect(style).toContain('content: "Page " counter(page) " of " counter(pages)');
    expect(style).not.toContain('&quot;');
    expect(r.out).toContain('<svg class="chart"');
    expect(r.out).not.toContain(HOSTILE_SCRIPT);
    expect(r.out).not.toContain(HOSTILE_IMG);
    expect(r.out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.out).not.toMatch(/<script|<link|<img|@import|url\(/u);
    const devices = (r.out.match(/<section class="device">/gu) ?? []).length;
    expect(devices).toBe(siteDevices(0, 12, { hostile: true }).filter((d) => d.status === 'restricted').length);
    const estate = await cli(['central', 'report', ...store]);
    expect(estate.out).toContain('<h1>Restricted surveillance devices: the whole estate</h1>');
  });

  it('prints the PDF with Chromium to -o FILE', async () => {
    const out = path.join(dir, 'hq.pdf');
    const r = await cli(['central', 'report', '--site', siteName(1), '-o', out, ...store]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/report written to .*hq\.pdf \(pdf, \d+ bytes\)/u);
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 120_000);

  it('refuses what it cannot do, every problem at once (exit 2), and says when there is no Chromium (exit 1)', async () => {
    const bad = await cli(['central', 'report', '--format', 'doc', '-o', path.join(dir, 'nowhere', 'x.html'), ...store]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--format');
    expect(bad.err).toContain('no directory');
    expect((await cli(['central', 'report', '-o', path.join(dir, 'r.txt'), ...store])).code).toBe(2);
    const tty = await cli(['central', 'report', '--format', 'pdf', ...store]);
    expect(tty.code).toBe(2);
    expect(tty.err).toContain('give -o FILE.pdf');
    const unknown = await cli(['central', 'report', '--site', 'Atlantis', ...store]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no device at site "Atlantis"');
    const none = await cli(['central', 'report', '--format', 'pdf', '-o', path.join(dir, 'x.pdf'), ...store], { CAMSWEEP_CHROMIUM: '/nonexistent/chromium' });
    expect(none.code).toBe(1);
    expect(none.err).toContain('no Chromium to print the PDF with');
  });
});

describe('the pieces of the pages', () => {
  const [hik] = siteDevices(0, 1);
  const [lorex] = siteDevices(0, 6).filter((d) => d.brand === 'Lorex');

  it('says the verdict in one sentence: maker of record, brand, rule, pack, dated source, and the review', () => {
    const summary = (d: typeof hik, review: Parameters<typeof verdictSentence>[0]['review'] = null): Parameters<typeof verdictSentence>[0] => ({
      status: d!.verdict.status,
      verdictStatus: d!.verdict.status,
      manufacturer: d!.manufacturer,
      brand: d!.brand,
      model: d!.model,
      kind: d!.kind,
      pack: d!.verdict.pack ?? null,
      rule: d!.verdict.rule ?? null,
      reason: d!.verdict.reason,
      review,
    });
    expect(verdictSentence(summary(hik), readDocument(hik))).toBe(
      'A camera (DS-2CD2142FWD-I) made by Hikvision is restricted under rule hikvision of pack us-ndaa-889: Public Law 115-232, section 889, 2018-08-13.',
    );
    expect(verdictSentence({ ...summary(lorex), status: 'exception' }, readDocument(lorex))).toMatch(/^A camera \(LNB4321B\) made by Dahua and sold as Lorex is restricted under rule dahua/u);
    expect(verdictSentence(summary(hik, { state: 'exception', until: '2027-01-31', by: 'rita', at: '' }), readDocument(hik))).toMatch(/An exception until 2027-01-31 was granted by rita\.$/u);
  });

  it('reads a report\'s device defensively: what is not of its type is left out', () => {
    const doc = readDocument({ evidence: [{ protocol: 'onvif', field: 'f', value: 'v' }, { protocol: 1 }, 'x'], verdict: { source: { document: 7 } }, attribution: { conflicts: ['a', 2], matches: [{ fingerprint: 'fp', claims: { manufacturer: 'X', weird: 1 } }] }, interfaces: 'eth0' });
    expect(doc.evidence).toEqual([{ protocol: 'onvif', field: 'f', value: 'v' }]);
    expect(doc.source).toBeNull();
    expect(doc.conflicts).toEqual(['a']);
    expect(doc.matches[0]).toMatchObject({ fingerprint: 'fp', claims: 'manufacturer: X' });
    expect(doc.interfaces).toEqual([]);
    expect(readDocument(null).evidence).toEqual([]);
  });

  it('draws the series day by day, a day without a record carrying the one before', () => {
    const s = series(
      [
        { day: '2026-11-28', status: 'restricted', devices: 3 },
        { day: '2026-11-28', status: 'review', devices: 1 },
        { day: '2026-11-30', status: 'restricted', devices: 5 },
      ],
      '2026-11-01',
      '2026-12-01',
    );
    expect(s.days).toEqual(['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01']);
    expect(s.restricted).toEqual([3, 3, 5, 5]);
    expect(s.review).toEqual([1, 1, 0, 0]);
    expect(series([], '2026-11-01', '2026-12-01').days).toEqual([]);
  });
});
